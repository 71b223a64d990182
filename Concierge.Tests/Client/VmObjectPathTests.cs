using Concierge.Client;
using Concierge.Service.DBus;
using Concierge.Service.Registry;
using NUnit.Framework;

namespace Concierge.Tests.Client;

[TestFixture]
[Category("Unit")]
public sealed class VmObjectPathTests
{
    [TestCase("web")]
    [TestCase("1st-vm")]
    [TestCase("a.b_c")]
    [TestCase("vm42")]
    public void Paths_match_the_service_and_round_trip(string name)
    {
        var path = VmObjectPath.For(name, 1000);
        Assert.That(path, Is.EqualTo(VmObjectPaths.For(new VmKey(1000, name)).Value));
        Assert.That(VmObjectPath.NameOf(path), Is.EqualTo(name));
    }

    [TestCase("/org/chromium/VmConcierge")]
    [TestCase("/org/chromium/VmConcierge/vm/web")]
    [TestCase("/org/chromium/VmConcierge/vm/we_zz/u0")]
    [TestCase("/org/chromium/VmConcierge/vm/web_4/u0")]
    public void Other_paths_name_no_vm(string path) => Assert.That(VmObjectPath.NameOf(path), Is.Null);
}
