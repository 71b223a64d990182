using NUnit.Framework;

namespace Concierge.Tests.TestSupport;

/// <summary>Polls a condition until it holds, or fails the test saying what was last seen.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, describe);

    /// <summary>
    /// Waits until <paramref name="condition"/> is true; past <paramref name="timeout"/> fails the test
    /// with "timed out: " and <paramref name="describe"/>, evaluated then.
    /// </summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out: {describe()}");
            }
            await Task.Delay(Interval);
        }
    }
}
