using Concierge.Contracts;
using NUnit.Framework;

namespace Concierge.Tests.Contracts;

/// <summary>VM object paths as the service makes them and its clients read them back.</summary>
[TestFixture, Category("Unit")]
public sealed class VmObjectPathTests
{
    [TestCase("termina", "termina")]
    [TestCase("vm1", "vm1")]
    [TestCase("1vm", "_31vm")]
    [TestCase("dev-box", "dev_2dbox")]
    [TestCase("a.b_c", "a_2eb_5fc")]
    [TestCase("", "_")]
    [TestCase("_", "_5f")]
    [TestCase("../x", "_2e_2e_2fx")]
    [TestCase("\u00fc", "_c3_bc")]
    [TestCase("a\0b", "a_00b")]
    public void NamesAreEscapedLikeSystemdsBusLabelEscape(string name, string label) =>
        Assert.That(VmObjectPath.Escape(name), Is.EqualTo(label));

    [TestCase("")]
    [TestCase("_")]
    [TestCase("web")]
    [TestCase("1st-vm")]
    [TestCase("../../etc/passwd")]
    [TestCase("nul\0inside")]
    [TestCase("caf\u00e9 \U0001F600")]
    [TestCase("_5f")]
    public void APathNamesItsVmAndHoldsOnlyPathCharacters(string name)
    {
        var path = VmObjectPath.For(name, 1000);

        Assert.That(path, Does.Match("^/org/chromium/VmConcierge/vm/[A-Za-z0-9_]+/u1000$"));
        Assert.That(VmObjectPath.NameOf(path), Is.EqualTo(name));
    }

    [Test]
    public void ALongNameRoundTrips()
    {
        var name = string.Concat(Enumerable.Repeat("a-1.", 75));
        Assert.That(VmObjectPath.NameOf(VmObjectPath.For(name, 0)), Is.EqualTo(name));
    }

    [TestCase("/org/chromium/VmConcierge")]
    [TestCase("/org/chromium/VmConcierge/vm/web")]
    [TestCase("/org/chromium/VmConcierge/vm/we_zz/u0")]
    [TestCase("/org/chromium/VmConcierge/vm/web_4/u0")]
    [TestCase("/org/chromium/VmConcierge/vm/we-b/u0")]
    public void OtherPathsNameNoVm(string path) => Assert.That(VmObjectPath.NameOf(path), Is.Null);
}
