using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_regs: the general-purpose registers of a vCPU.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmRegs
{
    public ulong Rax, Rbx, Rcx, Rdx;
    public ulong Rsi, Rdi, Rsp, Rbp;
    public ulong R8, R9, R10, R11;
    public ulong R12, R13, R14, R15;
    public ulong Rip, Rflags;
}
