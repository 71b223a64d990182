using Concierge.Service.Storage;
using NUnit.Framework;

namespace Concierge.Tests.Service.Storage;

[TestFixture, Category("Unit")]
public sealed class ExactSizeTests
{
    [TestCase(0UL, "0 bytes")]
    [TestCase(513UL, "513 bytes")]
    [TestCase(1536UL, "1536 bytes")]
    [TestCase(2048UL, "2 KiB")]
    [TestCase(1UL << 20, "1 MiB")]
    [TestCase(3000UL << 30, "3000 GiB")]
    [TestCase(2UL << 40, "2 TiB")]
    [TestCase(1UL << 63, "8 EiB")]
    [TestCase(ulong.MaxValue, "18446744073709551615 bytes")]
    public void Uses_the_largest_unit_that_divides_exactly(ulong bytes, string text) =>
        Assert.That(ExactSize.Format(bytes), Is.EqualTo(text));
}
