using Concierge.Service.Errors;
using Concierge.Service.Naming;
using NUnit.Framework;

namespace Concierge.Tests.Service.Naming;

[TestFixture, Category("Unit")]
public sealed class OwnerIdsTests
{
    [TestCase("0", 0u)]
    [TestCase("1000", 1000u)]
    [TestCase("4294967294", 4294967294u)]
    public void Parses_decimal_uids(string text, uint uid)
    {
        Assert.That(OwnerIds.Parse(text), Is.EqualTo(uid));
        Assert.That(OwnerIds.Format(uid), Is.EqualTo(text));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("-1")]
    [TestCase("4294967295")]
    [TestCase("99999999999")]
    [TestCase("0042")]
    [TestCase("1e3")]
    [TestCase(" 1000")]
    [TestCase("deadbeef")]
    [TestCase("\u0661\u0662")]
    public void Refuses_anything_else(string? text)
    {
        var error = Assert.Throws<InvalidRequestException>(() => OwnerIds.Parse(text))!;
        Assert.That(error.Message, Does.StartWith("Empty or malformed owner ID"));
        Assert.That(error.Field, Is.EqualTo("owner_id"));
    }
}
