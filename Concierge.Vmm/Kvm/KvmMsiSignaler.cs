using Concierge.Vmm.Devices;

namespace Concierge.Vmm.Kvm;

/// <summary>Delivers MSIs with KVM_SIGNAL_MSI.</summary>
internal sealed class KvmMsiSignaler : IMsiSignaler
{
    private readonly KvmVm _vm;

    public KvmMsiSignaler(KvmVm vm) => _vm = vm;

    /// <inheritdoc />
    public void Signal(ulong address, uint data) => _vm.SignalMsi(address, data);
}
