using Concierge.Service.Storage;
using NUnit.Framework;

namespace Concierge.Tests.Service.Storage;

[TestFixture, Category("Unit")]
public sealed class DiskNamesTests
{
    [TestCase("vm", "dm0=")]
    [TestCase("termina", "dGVybWluYQ==")]
    [TestCase("abc", "YWJj")]
    public void Encodes_as_padded_base64url_like_chrome_os(string name, string stem) =>
        Assert.That(DiskNames.Encode(name), Is.EqualTo(stem));

    [Test]
    public void Never_spells_a_separator_or_a_dot()
    {
        var names = new[] { "a", "zz", "z.z", "Z-_", "9", new string('z', 60), "x.y-z_w" };
        Assert.That(names.Select(DiskNames.Encode), Has.All.Match("^[A-Za-z0-9_-]+=*$"));
    }

    [TestCase("dev-box.1")]
    [TestCase("_")]
    [TestCase("Z")]
    public void Round_trips(string name) => Assert.That(DiskNames.TryDecode(DiskNames.Encode(name)), Is.EqualTo(name));

    [TestCase("")]
    [TestCase("=")]
    [TestCase("dm0")]
    [TestCase("dm0==")]
    [TestCase("....")]
    [TestCase("Li4v")]
    [TestCase("AA==")]
    public void Refuses_stems_it_did_not_write(string stem) => Assert.That(DiskNames.TryDecode(stem), Is.Null);
}
