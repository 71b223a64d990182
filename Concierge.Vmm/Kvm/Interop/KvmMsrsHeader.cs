using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>The fixed head of struct kvm_msrs; <see cref="KvmMsrEntry"/> entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrsHeader
{
    public uint Nmsrs;
    public uint Pad;
}
