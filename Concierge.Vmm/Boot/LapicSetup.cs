using System.Buffers.Binary;
using Concierge.Vmm.Kvm;

namespace Concierge.Vmm.Boot;

/// <summary>Wires each local APIC's LINT0 to the PIC (ExtINT) and LINT1 to NMI, as a PC BIOS leaves them.</summary>
internal static class LapicSetup
{
    private const int Lvt0 = 0x350;
    private const int Lvt1 = 0x360;
    private const uint DeliveryModeMask = 0x700;
    private const uint ExtInt = 0x700;
    private const uint Nmi = 0x400;

    public static void Apply(KvmVcpu vcpu)
    {
        var lapic = vcpu.GetLapic();
        Span<byte> regs = lapic.Regs;
        SetDeliveryMode(regs[Lvt0..], ExtInt);
        SetDeliveryMode(regs[Lvt1..], Nmi);
        vcpu.SetLapic(lapic);
    }

    private static void SetDeliveryMode(Span<byte> register, uint mode)
    {
        var value = BinaryPrimitives.ReadUInt32LittleEndian(register);
        BinaryPrimitives.WriteUInt32LittleEndian(register, (value & ~DeliveryModeMask) | mode);
    }
}
