using Concierge.Vmm.Devices.Virtio;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>The transport a fuzzed device sees: interrupts go nowhere; the device itself keeps why it broke.</summary>
internal sealed class FuzzTransport : IVirtioTransport
{
    public void SignalQueue(int queueIndex)
    {
    }

    public void ReportBroken(string reason)
    {
    }
}
