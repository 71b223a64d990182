using Concierge.Service.Naming;
using NUnit.Framework;

namespace Concierge.Tests.Service.Naming;

[TestFixture, Category("Unit")]
public sealed class ObjectPathLabelTests
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
    public void Escapes_like_systemd_bus_label_escape(string value, string label) =>
        Assert.That(ObjectPathLabel.Escape(value), Is.EqualTo(label));

    [TestCase("")]
    [TestCase("_")]
    [TestCase("termina")]
    [TestCase("1")]
    [TestCase("../../etc/passwd")]
    [TestCase("nul\0inside")]
    [TestCase("caf\u00e9 \U0001F600")]
    [TestCase("_5f")]
    public void Round_trips_and_yields_only_path_element_characters(string value)
    {
        var label = ObjectPathLabel.Escape(value);
        Assert.That(label, Does.Match("^[A-Za-z0-9_]+$"));
        Assert.That(ObjectPathLabel.Unescape(label), Is.EqualTo(value));
    }

    [Test]
    public void Round_trips_300_characters()
    {
        var value = string.Concat(Enumerable.Repeat("a-1.", 75));
        Assert.That(ObjectPathLabel.Unescape(ObjectPathLabel.Escape(value)), Is.EqualTo(value));
    }

    [TestCase("_zz", "_zz")]
    [TestCase("_4", "_4")]
    [TestCase("abc_", "abc_")]
    [TestCase("_2E", ".")]
    public void Unescape_keeps_malformed_escapes_literally(string label, string value) =>
        Assert.That(ObjectPathLabel.Unescape(label), Is.EqualTo(value));
}
