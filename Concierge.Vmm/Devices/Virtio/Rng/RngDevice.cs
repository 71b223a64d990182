using System.Security.Cryptography;
using Concierge.Vmm.Devices.Virtio.Queue;

namespace Concierge.Vmm.Devices.Virtio.Rng;

/// <summary>
/// virtio-rng: fills each device-writable buffer the guest offers with bytes from the host's
/// CSPRNG (<see cref="RandomNumberGenerator"/>, i.e. getrandom on Linux). One queue, no config.
/// </summary>
public sealed class RngDevice : VirtioDevice
{
    /// <summary>Creates the device.</summary>
    public RngDevice() : base(VirtioDeviceType.Rng, deviceFeatures: 0, queueCount: 1)
    {
    }

    /// <inheritdoc />
    public override int ConfigSize => 0;

    /// <inheritdoc />
    public override void ReadConfig(int offset, Span<byte> data) => data.Clear();

    /// <inheritdoc />
    protected override void ProcessQueues(Func<bool> stopRequested) => DrainQueue(0, Fill, stopRequested);

    private uint Fill(DescriptorChain chain)
    {
        if (chain.ReadableBytes != 0)
        {
            throw new VirtQueueFaultException($"rng request at descriptor {chain.HeadIndex} carries {chain.ReadableBytes} device-readable bytes; it must be device-writable only");
        }
        var total = Math.Min(chain.WritableBytes, (uint)VirtioLimits.RngMaxBytesPerRequest);
        foreach (var piece in DescriptorChain.Slice(chain.Writable, 0, total))
        {
            RandomNumberGenerator.Fill(Memory!.GetSpan(piece.Address, (int)piece.Length));
        }
        return total;
    }
}
