using Concierge.Service.Errors;
using Concierge.Service.Naming;
using NUnit.Framework;

namespace Concierge.Tests.Service.Naming;

[TestFixture, Category("Unit")]
public sealed class VmNamesTests
{
    [TestCase("termina")]
    [TestCase("dev-box_2.test")]
    [TestCase("A")]
    [TestCase("0")]
    public void Accepts_hostname_like_names(string name) => Assert.That(VmNames.Validate(name), Is.EqualTo(name));

    [Test]
    public void Accepts_exactly_sixty_characters() =>
        Assert.That(VmNames.IsValid(new string('a', VmNames.MaxLength), out _), Is.True);

    [TestCase(null, "empty")]
    [TestCase("", "empty")]
    [TestCase("../x", "character 2")]
    [TestCase("..", "must not start")]
    [TestCase(".hidden", "must not start")]
    [TestCase("-rf", "must not start")]
    [TestCase("a..b", "'..'")]
    [TestCase("a/b", "U+002F")]
    [TestCase("nul\0byte", "U+0000")]
    [TestCase("caf\u00e9", "U+00E9")]
    [TestCase("emoji\U0001F600", "U+D83D")]
    [TestCase("space here", "U+0020")]
    [TestCase("new\nline", "U+000A")]
    public void Refuses_hostile_names_with_a_reason(string? name, string reason)
    {
        var error = Assert.Throws<InvalidRequestException>(() => VmNames.Validate(name))!;
        Assert.That(error.Message, Does.StartWith("Empty or malformed VM name").And.Contain(reason));
        Assert.That(error.Field, Is.EqualTo("name"));
    }

    [Test]
    public void Refuses_300_characters()
    {
        var error = Assert.Throws<InvalidRequestException>(() => VmNames.Validate(new string('a', 300), "vm_name"))!;
        Assert.That(error.Message, Does.Contain("300 characters, at most 60"));
        Assert.That(error.Field, Is.EqualTo("vm_name"));
    }
}
