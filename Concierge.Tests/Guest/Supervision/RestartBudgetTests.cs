using Concierge.Guest.Supervision;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Supervision;

[TestFixture, Category("Unit")]
public sealed class RestartBudgetTests
{
    [Test]
    public void AllowsTheBurstThenRefuses()
    {
        var clock = new SteppedClock();
        var budget = new RestartBudget(10, TimeSpan.FromSeconds(30), clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.That(budget.TryRestart(), Is.True, $"restart {i + 1}");
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.That(budget.TryRestart(), Is.False);
    }

    [Test]
    public void RestartsOlderThanTheWindowNoLongerCount()
    {
        var clock = new SteppedClock();
        var budget = new RestartBudget(2, TimeSpan.FromSeconds(30), clock);
        Assert.That(budget.TryRestart() && budget.TryRestart(), Is.True);
        Assert.That(budget.TryRestart(), Is.False);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.That(budget.TryRestart(), Is.True);
    }

    [Test]
    public void ZeroRestartsNeverRestarts() =>
        Assert.That(new RestartBudget(0, TimeSpan.FromSeconds(1), new SteppedClock()).TryRestart(), Is.False);

    /// <summary>A clock the test moves by hand, so the window is tested without waiting.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
