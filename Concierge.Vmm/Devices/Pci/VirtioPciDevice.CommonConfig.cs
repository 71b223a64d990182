using System.Buffers.Binary;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Queue;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>The common configuration structure (struct virtio_pci_common_cfg): features, status, queue setup.</summary>
public sealed partial class VirtioPciDevice
{
    // struct virtio_pci_common_cfg offsets (virtio 1.x, 4.1.4.3).
    private const int DeviceFeatureSelect = 0;
    private const int DeviceFeature = 4;
    private const int DriverFeatureSelect = 8;
    private const int DriverFeature = 12;
    private const int ConfigMsixVector = 16;
    private const int NumQueues = 18;
    private const int DeviceStatus = 20;
    private const int QueueSelect = 22;
    private const int QueueSize = 24;
    private const int QueueMsixVector = 26;
    private const int QueueEnable = 28;
    private const int QueueNotifyOff = 30;
    private const int QueueDesc = 32;
    private const int QueueDriver = 40;
    private const int QueueDevice = 48;

    private int _status;
    private int _configVector = MsixTable.NoVector;
    private uint _deviceFeatureSelect;
    private uint _driverFeatureSelect;
    private ulong _driverFeatures;
    private ushort _queueSelect;

    private VirtioPciQueueRegisters? SelectedQueue => _queueSelect < _queues.Length ? _queues[_queueSelect] : null;

    private void ReadCommonConfig(int offset, Span<byte> data)
    {
        Span<byte> image = stackalloc byte[(int)VirtioPciLayout.CommonConfigLength];
        lock (_lock)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image[DeviceFeatureSelect..], _deviceFeatureSelect);
            BinaryPrimitives.WriteUInt32LittleEndian(image[DeviceFeature..], FeatureWord(Device.OfferedFeatures, _deviceFeatureSelect));
            BinaryPrimitives.WriteUInt32LittleEndian(image[DriverFeatureSelect..], _driverFeatureSelect);
            BinaryPrimitives.WriteUInt32LittleEndian(image[DriverFeature..], FeatureWord(_driverFeatures, _driverFeatureSelect));
            BinaryPrimitives.WriteUInt16LittleEndian(image[ConfigMsixVector..], (ushort)_configVector);
            BinaryPrimitives.WriteUInt16LittleEndian(image[NumQueues..], (ushort)_queues.Length);
            image[DeviceStatus] = (byte)Volatile.Read(ref _status);
            BinaryPrimitives.WriteUInt16LittleEndian(image[QueueSelect..], _queueSelect);
            if (SelectedQueue is { } queue)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(image[QueueSize..], queue.Size);
                BinaryPrimitives.WriteUInt16LittleEndian(image[QueueMsixVector..], queue.MsixVector);
                BinaryPrimitives.WriteUInt16LittleEndian(image[QueueEnable..], queue.Enabled ? (ushort)1 : (ushort)0);
                BinaryPrimitives.WriteUInt16LittleEndian(image[QueueNotifyOff..], _queueSelect);
                BinaryPrimitives.WriteUInt64LittleEndian(image[QueueDesc..], queue.DescriptorTable);
                BinaryPrimitives.WriteUInt64LittleEndian(image[QueueDriver..], queue.AvailableRing);
                BinaryPrimitives.WriteUInt64LittleEndian(image[QueueDevice..], queue.UsedRing);
            }
        }
        if (offset < image.Length)
        {
            var available = image[offset..];
            available[..Math.Min(available.Length, data.Length)].CopyTo(data);
        }
    }

    private void WriteCommonConfig(int offset, ReadOnlySpan<byte> data)
    {
        if (data.Length == 8)
        {
            // A 64-bit store to an address field is its two halves.
            WriteCommonConfig(offset, data[..4]);
            WriteCommonConfig(offset + 4, data[4..]);
            return;
        }
        if (data.Length is not (1 or 2 or 4))
        {
            return;
        }
        Span<byte> padded = stackalloc byte[4];
        padded.Clear();
        data.CopyTo(padded);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(padded);
        lock (_lock)
        {
            var status = (VirtioDeviceStatus)Volatile.Read(ref _status);
            var queueLive = status.HasFlag(VirtioDeviceStatus.DriverOk);
            var queue = queueLive ? null : SelectedQueue;
            switch (offset)
            {
                case DeviceFeatureSelect:
                    _deviceFeatureSelect = value;
                    break;
                case DriverFeatureSelect:
                    _driverFeatureSelect = value;
                    break;
                case DriverFeature when !status.HasFlag(VirtioDeviceStatus.FeaturesOk) && _driverFeatureSelect < 2:
                    var shift = 32 * (int)_driverFeatureSelect;
                    _driverFeatures = (_driverFeatures & ~(0xFFFF_FFFFUL << shift)) | ((ulong)value << shift);
                    break;
                case ConfigMsixVector:
                    Volatile.Write(ref _configVector, CheckedVector(value));
                    break;
                case DeviceStatus:
                    WriteStatus((VirtioDeviceStatus)(byte)value);
                    break;
                case QueueSelect:
                    _queueSelect = (ushort)value;
                    break;
                case QueueSize when queue is not null:
                    queue.Size = (ushort)value;
                    break;
                case QueueMsixVector when SelectedQueue is { } vectorQueue:
                    vectorQueue.MsixVector = CheckedVector(value);
                    break;
                case QueueEnable when queue is not null:
                    queue.Enabled = value == 1;
                    break;
                case QueueDesc or QueueDesc + 4 when queue is not null:
                    queue.DescriptorTable = WithHalf(queue.DescriptorTable, offset - QueueDesc, value);
                    break;
                case QueueDriver or QueueDriver + 4 when queue is not null:
                    queue.AvailableRing = WithHalf(queue.AvailableRing, offset - QueueDriver, value);
                    break;
                case QueueDevice or QueueDevice + 4 when queue is not null:
                    queue.UsedRing = WithHalf(queue.UsedRing, offset - QueueDevice, value);
                    break;
            }
        }
    }

    private void WriteStatus(VirtioDeviceStatus requested)
    {
        if (requested == VirtioDeviceStatus.None)
        {
            ResetDevice();
            return;
        }
        var current = (VirtioDeviceStatus)Volatile.Read(ref _status);
        var next = requested | (current & VirtioDeviceStatus.DeviceNeedsReset);
        if (requested.HasFlag(VirtioDeviceStatus.FeaturesOk) && !current.HasFlag(VirtioDeviceStatus.FeaturesOk) && !FeaturesAcceptable())
        {
            // Leaving FEATURES_OK clear tells the driver we refuse its feature set.
            next &= ~VirtioDeviceStatus.FeaturesOk;
        }
        Volatile.Write(ref _status, (int)next);
        if (next.HasFlag(VirtioDeviceStatus.DriverOk) && !current.HasFlag(VirtioDeviceStatus.DriverOk) && next.HasFlag(VirtioDeviceStatus.FeaturesOk))
        {
            var layouts = _queues
                .Select(q => q.Enabled ? new VirtQueueLayout(q.Size, q.DescriptorTable, q.AvailableRing, q.UsedRing) : (VirtQueueLayout?)null)
                .ToArray();
            Device.Activate(_memory, _driverFeatures, layouts, this);
        }
    }

    private bool FeaturesAcceptable() =>
        (_driverFeatures & ~Device.OfferedFeatures) == 0 && (_driverFeatures & VirtioFeatures.Version1) != 0;

    private void ResetDevice()
    {
        Device.Reset();
        for (var i = 0; i < _queues.Length; i++)
        {
            _queues[i] = new VirtioPciQueueRegisters(Device.MaxQueueSize(i));
        }
        _driverFeatures = 0;
        _deviceFeatureSelect = 0;
        _driverFeatureSelect = 0;
        _queueSelect = 0;
        Volatile.Write(ref _configVector, MsixTable.NoVector);
        Interlocked.Exchange(ref _isr, 0);
        Volatile.Write(ref _status, 0);
    }

    private ushort CheckedVector(uint value) =>
        value < (uint)_msix.VectorCount ? (ushort)value : MsixTable.NoVector;

    private static uint FeatureWord(ulong features, uint select) =>
        select < 2 ? (uint)(features >> (32 * (int)select)) : 0;

    private static ulong WithHalf(ulong current, int half, uint value) =>
        half == 0 ? (current & 0xFFFF_FFFF_0000_0000UL) | value : (current & 0xFFFF_FFFFUL) | ((ulong)value << 32);
}
