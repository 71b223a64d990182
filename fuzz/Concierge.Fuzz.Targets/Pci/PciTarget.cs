using System.Buffers.Binary;
using Concierge.Fuzz.Targets.Virtio;
using Concierge.Vmm.Devices;
using Concierge.Vmm.Devices.Pci;
using Concierge.Vmm.Devices.Virtio.Vsock;
using Concierge.Vmm.Memory;

namespace Concierge.Fuzz.Targets.Pci;

/// <summary>
/// PCI as a vCPU reaches it: port I/O on configuration mechanism #1 and MMIO in the BAR window
/// of a <see cref="PciRootBus"/> carrying one virtio-pci device (vsock, which has a device config
/// space and three queues). Covers config space and BAR sizing, capabilities, the MSI-X table
/// and pending bits, the common config (features, status, queue setup, DRIVER_OK activating the
/// device on real guest RAM) and the notify area.
/// </summary>
/// <remarks>
/// Input: accesses until it ends, each an opcode byte (bit 0 MMIO rather than port I/O, bit 1
/// write, bits 2-3 size 1/2/4/8 — port I/O caps at 4), an offset (port I/O: a byte, taken mod 8;
/// MMIO: 16 bits from the window's start, where BAR 0 sits) and for writes a 64-bit value.
/// A bus access must never throw, and the device must not break on an internal error.
/// </remarks>
public sealed class PciTarget : IFuzzTarget
{
    private const int MaxAccesses = 1024;
    private const ulong MemoryBytes = 1 << 20;
    private const byte OpMmio = 1;
    private const byte OpWrite = 2;

    /// <inheritdoc />
    public string Name => "pci";

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        var reader = new FuzzInput(input);
        using var memory = GuestMemory.Create(MemoryBytes);
        var bus = new PciRootBus();
        using var function = new VirtioPciDevice(new VsockDevice(VsockTarget.GuestCid), memory, new DroppedMsi(), bus.AllocateBar(VirtioPciDevice.BarSize));
        bus.Attach(function);
        Span<byte> data = stackalloc byte[8];
        for (var access = 0; access < MaxAccesses && !reader.IsEmpty; access++)
        {
            var op = reader.Byte();
            var mmio = (op & OpMmio) != 0;
            var size = 1 << ((op >> 2) & 3);
            size = mmio ? size : Math.Min(size, 4);
            var device = mmio ? bus.MmioWindow : bus.ConfigIo;
            ulong offset = mmio ? reader.Le16() : (ulong)(reader.Byte() % PciRootBus.ConfigIoPortCount);
            var window = data[..size];
            if ((op & OpWrite) != 0)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(data, reader.Le64());
                device.Write(offset, window);
            }
            else
            {
                device.Read(offset, window);
            }
            FuzzedDevice.ThrowIfInternalError(function.Device);
        }
    }

    /// <inheritdoc />
    public IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        var enumerate = new AccessWriter()
            .Config(0x00, 4, read: true)
            .Config(0x10, 4, 0xFFFF_FFFF).Config(0x10, 4, read: true)
            .Config(0x10, 4, PciRootBus.MmioWindowStart)
            .Config(0x04, 2, PciConfigSpace.CommandMemorySpace)
            .Config(0x34, 1, read: true);
        yield return ("enumerate", enumerate.ToArray());

        // MSI-X on (message control of the capability at 0x84), vector 0 programmed and unmasked;
        // status ACK, DRIVER; VERSION_1 accepted; FEATURES_OK; queues 0 and 1 laid out and enabled.
        var driver = new AccessWriter(enumerate)
            .Config(0x84, 4, 0x8000_0000)
            .Bar(0x4000, 8, 0xFEE0_0000).Bar(0x4008, 4, 0x41).Bar(0x400C, 4, 0)
            .Bar(20, 1, 1).Bar(20, 1, 3).Bar(8, 4, 1).Bar(12, 4, 1).Bar(20, 1, 11);
        for (var queue = 0UL; queue < 2; queue++)
        {
            var at = 0x1000 * (queue + 1);
            driver.Bar(22, 2, queue).Bar(24, 2, 16).Bar(26, 2, 0).Bar(32, 8, at).Bar(40, 8, at + 0x100).Bar(48, 8, at + 0x200).Bar(28, 2, 1);
        }
        // DRIVER_OK, a kick of queue 1, then the ISR, the device config and the pending bits.
        driver.Bar(20, 1, 15).Bar(0x3004, 2, 1).Bar(0x1000, 1, read: true).Bar(0x2000, 8, read: true).Bar(0x5000, 8, read: true);
        yield return ("driver-ok", driver.ToArray());
        yield return ("reset-after-driver-ok", new AccessWriter(driver).Bar(20, 1, 0).Bar(20, 1, read: true).ToArray());
    }

    /// <summary>Writes seed accesses in the target's input format.</summary>
    private sealed class AccessWriter
    {
        private readonly SeedWriter _writer = new();

        public AccessWriter()
        {
        }

        public AccessWriter(AccessWriter start) => _writer.Bytes(start.ToArray());

        /// <summary>CONFIG_ADDRESS for bus 0, device 1 (the first attached), function 0, then CONFIG_DATA.</summary>
        public AccessWriter Config(int register, int size, ulong value = 0, bool read = false)
        {
            _writer.Byte(Op(mmio: false, write: true, 4)).Byte(0).Le64(0x8000_0800u | (uint)(register & 0xFC));
            _writer.Byte(Op(mmio: false, write: !read, size)).Byte((byte)(4 + (register & 3)));
            if (!read)
            {
                _writer.Le64(value);
            }
            return this;
        }

        /// <summary>An access to BAR 0 at <paramref name="offset"/>.</summary>
        public AccessWriter Bar(ushort offset, int size, ulong value = 0, bool read = false)
        {
            _writer.Byte(Op(mmio: true, write: !read, size)).Le16(offset);
            if (!read)
            {
                _writer.Le64(value);
            }
            return this;
        }

        public byte[] ToArray() => _writer.ToArray();

        private static byte Op(bool mmio, bool write, int size) =>
            (byte)((mmio ? OpMmio : 0) | (write ? OpWrite : 0) | (System.Numerics.BitOperations.Log2((uint)size) << 2));
    }

    /// <summary>Nothing to deliver MSIs to without a VM.</summary>
    private sealed class DroppedMsi : IMsiSignaler
    {
        public void Signal(ulong address, uint data)
        {
        }
    }
}
