using Concierge.Service.Supervision;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Kvm;

/// <summary>Reads an instance's guest link events in the background and lets a test wait for them.</summary>
public sealed class GuestEvents : IAsyncDisposable
{
    private readonly List<GuestLinkEvent> _seen = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly SemaphoreSlim _changed = new(0);

    public GuestEvents(IVmInstance instance) => _pump = PumpAsync(instance);

    public IReadOnlyList<GuestLinkEvent> Snapshot()
    {
        lock (_seen)
        {
            return [.. _seen];
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds over everything seen; fails with what was seen after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<GuestLinkEvent>> WaitForAsync(Func<IReadOnlyList<GuestLinkEvent>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = Snapshot();
            if (condition(seen))
            {
                return seen;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || _pump.IsCompleted)
            {
                Assert.Fail($"{what} did not happen within {timeout}; events: {string.Join(", ", seen)}");
            }
            await _changed.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _changed.Dispose();
    }

    private async Task PumpAsync(IVmInstance instance)
    {
        await Task.Yield();
        await foreach (var guestEvent in instance.ReadGuestEventsAsync(_stop.Token))
        {
            lock (_seen)
            {
                _seen.Add(guestEvent);
            }
            _changed.Release();
        }
    }
}
