using System.Buffers.Binary;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// An MSI-X table and pending-bit array (PCI 3.0, 6.8.2): the guest programs address/data per
/// vector; a signal on a masked vector (or with the function masked) sets its pending bit and is
/// delivered when unmasked. Thread-safe; delivery happens outside the lock.
/// </summary>
public sealed class MsixTable
{
    /// <summary>Bytes per table entry.</summary>
    public const int EntrySize = 16;

    /// <summary>The "no vector" value virtio uses for unassigned interrupts.</summary>
    public const ushort NoVector = 0xFFFF;

    private const int VectorControlOffset = 12;
    private const uint VectorMasked = 1;

    private readonly object _lock = new();
    private readonly byte[] _table;
    private readonly bool[] _pending;
    private readonly IMsiSignaler _signaler;
    private bool _enabled;
    private bool _functionMasked;

    /// <summary>Creates a table of <paramref name="vectorCount"/> masked vectors delivering through <paramref name="signaler"/>.</summary>
    public MsixTable(int vectorCount, IMsiSignaler signaler)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vectorCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vectorCount, 2048);
        ArgumentNullException.ThrowIfNull(signaler);
        VectorCount = vectorCount;
        _signaler = signaler;
        _table = new byte[vectorCount * EntrySize];
        _pending = new bool[vectorCount];
        for (var i = 0; i < vectorCount; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_table.AsSpan((i * EntrySize) + VectorControlOffset), VectorMasked);
        }
    }

    /// <summary>Number of vectors.</summary>
    public int VectorCount { get; }

    /// <summary>Bytes of the table region.</summary>
    public int TableBytes => _table.Length;

    /// <summary>Bytes of the pending-bit array (whole qwords).</summary>
    public int PbaBytes => ((VectorCount + 63) / 64) * 8;

    /// <summary>Applies the MSI-X capability's control bits (enable, function mask).</summary>
    public void SetControl(bool enabled, bool functionMasked)
    {
        lock (_lock)
        {
            _enabled = enabled;
            _functionMasked = functionMasked;
        }
        DeliverPending();
    }

    /// <summary>Reads table bytes.</summary>
    public void ReadTable(ulong offset, Span<byte> data)
    {
        data.Clear();
        lock (_lock)
        {
            if (offset < (ulong)_table.Length)
            {
                var available = _table.AsSpan((int)offset);
                available[..Math.Min(available.Length, data.Length)].CopyTo(data);
            }
        }
    }

    /// <summary>Writes table bytes; unmasking a vector delivers its pending message.</summary>
    public void WriteTable(ulong offset, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (offset >= (ulong)_table.Length)
            {
                return;
            }
            var room = _table.AsSpan((int)offset);
            data[..Math.Min(data.Length, room.Length)].CopyTo(room);
        }
        DeliverPending();
    }

    /// <summary>Reads the pending-bit array.</summary>
    public void ReadPba(ulong offset, Span<byte> data)
    {
        data.Clear();
        lock (_lock)
        {
            for (var i = 0; i < data.Length; i++)
            {
                var firstVector = (int)Math.Min((offset + (ulong)i) * 8, int.MaxValue);
                for (var bit = 0; bit < 8; bit++)
                {
                    if (firstVector + bit < VectorCount && _pending[firstVector + bit])
                    {
                        data[i] |= (byte)(1 << bit);
                    }
                }
            }
        }
    }

    /// <summary>Signals <paramref name="vector"/>: delivered now, held pending while masked, dropped if MSI-X is off or the vector is unassigned.</summary>
    public void Signal(int vector)
    {
        (ulong Address, uint Data)? message = null;
        lock (_lock)
        {
            if (!_enabled || vector < 0 || vector >= VectorCount)
            {
                return;
            }
            if (_functionMasked || IsMasked(vector))
            {
                _pending[vector] = true;
                return;
            }
            message = Message(vector);
        }
        _signaler.Signal(message.Value.Address, message.Value.Data);
    }

    private void DeliverPending()
    {
        List<(ulong Address, uint Data)>? due = null;
        lock (_lock)
        {
            if (!_enabled || _functionMasked)
            {
                return;
            }
            for (var vector = 0; vector < VectorCount; vector++)
            {
                if (_pending[vector] && !IsMasked(vector))
                {
                    _pending[vector] = false;
                    (due ??= []).Add(Message(vector));
                }
            }
        }
        foreach (var (address, data) in due ?? [])
        {
            _signaler.Signal(address, data);
        }
    }

    private bool IsMasked(int vector) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(_table.AsSpan((vector * EntrySize) + VectorControlOffset)) & VectorMasked) != 0;

    private (ulong Address, uint Data) Message(int vector)
    {
        var entry = _table.AsSpan(vector * EntrySize);
        return (BinaryPrimitives.ReadUInt64LittleEndian(entry), BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]));
    }
}
