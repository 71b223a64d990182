namespace Concierge.Vmm.Kvm;

/// <summary>
/// The registers that tell where and in what mode a vCPU was when the guest died (a triple fault
/// leaves no console output): instruction and stack pointers, control registers (CR2 is the last
/// page-fault address), EFER and the descriptor tables. Read only after the vCPU has left KVM_RUN
/// for good, on its own thread. KVM on AMD resets a vCPU that shuts down (the VMCB is undefined
/// after a SHUTDOWN intercept), so there the registers are gone and the report says so; on Intel
/// they are the faulting ones.
/// </summary>
internal static class VcpuStateReport
{
    private const ulong ResetRip = 0xFFF0;
    private const ushort ResetCodeSelector = 0xF000;

    /// <summary>The state in one line, or why it cannot be told (never throws).</summary>
    public static string Describe(KvmVcpu vcpu)
    {
        try
        {
            var regs = vcpu.GetRegs();
            var sregs = vcpu.GetSregs();
            if (regs.Rip == ResetRip && sregs.Cs.Selector == ResetCodeSelector)
            {
                return "registers not kept: KVM reset the vCPU as it shut down (AMD hosts do)";
            }
            return $"rip=0x{regs.Rip:x} rsp=0x{regs.Rsp:x} rflags=0x{regs.Rflags:x} " +
                $"cr0=0x{sregs.Cr0:x} cr2=0x{sregs.Cr2:x} cr3=0x{sregs.Cr3:x} cr4=0x{sregs.Cr4:x} efer=0x{sregs.Efer:x} " +
                $"cs=0x{sregs.Cs.Selector:x} ss=0x{sregs.Ss.Selector:x} " +
                $"idt=0x{sregs.Idt.Base:x}/0x{sregs.Idt.Limit:x} gdt=0x{sregs.Gdt.Base:x}/0x{sregs.Gdt.Limit:x} " +
                $"tr=0x{sregs.Tr.Selector:x}@0x{sregs.Tr.Base:x}";
        }
        catch (KvmException e)
        {
            return $"registers unreadable: {e.Message}";
        }
    }
}
