using Concierge.Vmm.Devices;

namespace Concierge.Vmm.Kvm;

/// <summary>An edge-triggered GSI of the in-kernel irqchip, pulsed with KVM_IRQ_LINE.</summary>
internal sealed class KvmInterruptLine : IInterruptLine
{
    private readonly KvmVm _vm;
    private readonly uint _gsi;

    public KvmInterruptLine(KvmVm vm, uint gsi)
    {
        _vm = vm;
        _gsi = gsi;
    }

    /// <inheritdoc />
    public void Trigger()
    {
        _vm.SetIrqLine(_gsi, high: true);
        _vm.SetIrqLine(_gsi, high: false);
    }
}
