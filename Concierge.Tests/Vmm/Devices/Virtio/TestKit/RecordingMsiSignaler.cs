using System.Collections.Concurrent;
using Concierge.Vmm.Devices;

namespace Concierge.Tests.Vmm.Devices.Virtio.TestKit;

/// <summary>Records every MSI a device delivers (in place of KVM_SIGNAL_MSI).</summary>
public sealed class RecordingMsiSignaler : IMsiSignaler
{
    private readonly ConcurrentQueue<(ulong Address, uint Data)> _messages = new();

    /// <summary>Messages delivered, in order.</summary>
    public IReadOnlyCollection<(ulong Address, uint Data)> Messages => _messages;

    /// <inheritdoc />
    public void Signal(ulong address, uint data) => _messages.Enqueue((address, data));

    /// <summary>Waits until a message with <paramref name="data"/> was delivered.</summary>
    public bool WaitFor(uint data, TimeSpan? timeout = null) =>
        SpinWait.SpinUntil(() => _messages.Any(m => m.Data == data), timeout ?? TimeSpan.FromSeconds(10));
}
