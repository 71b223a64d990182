using Concierge.DBus.Protocol;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Protocol;

/// <summary>Signature and name syntax per the specification.</summary>
[TestFixture]
[Category("Unit")]
public sealed class ValidatorTests
{
    [TestCase("", true)]
    [TestCase("a{sv}", true)]
    [TestCase("a(ia{s(vv)})ybnqiuxtdsogh", true)]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay", true)]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay", false)]
    [TestCase("a", false)]
    [TestCase("()", false)]
    [TestCase("(i", false)]
    [TestCase("i)", false)]
    [TestCase("{sv}", false)]
    [TestCase("a{vs}", false)]
    [TestCase("a{s}", false)]
    [TestCase("a{sii}", false)]
    [TestCase("r", false)]
    [TestCase("m", false)]
    public void Signatures(string signature, bool valid) =>
        Assert.That(SignatureValidator.IsValid(signature, out _), Is.EqualTo(valid));

    [Test]
    public void SignatureLengthLimitIs255() => Assert.Multiple(() =>
    {
        Assert.That(SignatureValidator.IsValid(new string('y', 255), out _), Is.True);
        Assert.That(SignatureValidator.IsValid(new string('y', 256), out _), Is.False);
    });

    [TestCase("/", true)]
    [TestCase("/a/b_c/D1", true)]
    [TestCase("", false)]
    [TestCase("a/b", false)]
    [TestCase("/a/", false)]
    [TestCase("//", false)]
    [TestCase("/a//b", false)]
    [TestCase("/a-b", false)]
    public void ObjectPaths(string path, bool valid) => Assert.That(NameValidator.IsValidObjectPath(path), Is.EqualTo(valid));

    [TestCase("org.example.Foo1", true)]
    [TestCase("a.b", true)]
    [TestCase("a", false)]
    [TestCase("a..b", false)]
    [TestCase(".a.b", false)]
    [TestCase("a.1b", false)]
    [TestCase("a.b-c", false)]
    public void InterfaceNames(string name, bool valid) => Assert.That(NameValidator.IsValidInterfaceName(name), Is.EqualTo(valid));

    [TestCase(":1.42", true)]
    [TestCase(":1.2-3", true)]
    [TestCase("org.example.My-Service", true)]
    [TestCase("org.1example", false)]
    [TestCase(":", false)]
    [TestCase("single", false)]
    public void BusNames(string name, bool valid) => Assert.That(NameValidator.IsValidBusName(name), Is.EqualTo(valid));

    [TestCase("Ping", true)]
    [TestCase("_x1", true)]
    [TestCase("1x", false)]
    [TestCase("a.b", false)]
    [TestCase("", false)]
    public void MemberNames(string name, bool valid) => Assert.That(NameValidator.IsValidMemberName(name), Is.EqualTo(valid));

    [Test]
    public void NamesLongerThan255AreRejected() => Assert.Multiple(() =>
    {
        Assert.That(NameValidator.IsValidMemberName(new string('m', 255)), Is.True);
        Assert.That(NameValidator.IsValidMemberName(new string('m', 256)), Is.False);
        Assert.That(NameValidator.IsValidInterfaceName("a." + new string('b', 254)), Is.False);
    });
}
