using NUnit.Framework;

namespace Concierge.Tests.Foundation;

/// <summary>Checks that the runner finds and runs tests at all.</summary>
[TestFixture, Category("Unit")]
public sealed class TestRunnerTests
{
    [Test]
    public void RunsOnNet10() => Assert.That(Environment.Version.Major, Is.GreaterThanOrEqualTo(10));
}
