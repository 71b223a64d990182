namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// The bus range holding every BAR: routes each access to the function whose memory BAR
/// currently decodes it (command register memory bit on). Unclaimed reads return all ones and
/// unclaimed writes vanish, as on real hardware. Offsets are relative to <see cref="PciRootBus.MmioWindowStart"/>.
/// </summary>
internal sealed class PciMmioWindow : IBusDevice
{
    private readonly PciRootBus _bus;

    public PciMmioWindow(PciRootBus bus) => _bus = bus;

    public void Read(ulong offset, Span<byte> data)
    {
        if (Decode(offset, data.Length) is { } hit)
        {
            hit.Function.ReadBar(hit.Bar, hit.Offset, data);
        }
        else
        {
            data.Fill(0xFF);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (Decode(offset, data.Length) is { } hit)
        {
            hit.Function.WriteBar(hit.Bar, hit.Offset, data);
        }
    }

    private (IPciFunction Function, int Bar, ulong Offset)? Decode(ulong offset, int length)
    {
        var address = PciRootBus.MmioWindowStart + offset;
        for (var slot = 0; slot < PciRootBus.SlotCount; slot++)
        {
            if (_bus.Function(slot) is { } function && function.ConfigSpace.TryDecode(address, length, out var bar, out var barOffset))
            {
                return (function, bar, barOffset);
            }
        }
        return null;
    }
}
