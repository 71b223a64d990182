using System.Numerics;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Boot;

/// <summary>
/// Turns KVM_GET_SUPPORTED_CPUID into what one vCPU should see: its APIC ID, the VM's topology
/// (one package, one thread per core, <c>vcpuCount</c> cores), the hypervisor bit, and no
/// features we do not emulate (PDCM).
/// </summary>
internal static class CpuidTemplate
{
    private const uint Leaf1EcxPdcm = 1u << 15;
    private const uint Leaf1EcxTscDeadline = 1u << 24;
    private const uint Leaf1EcxHypervisor = 1u << 31;
    private const uint Leaf1EdxHtt = 1u << 28;
    private const uint ClflushLineSizeQwords = 8;

    public static KvmCpuidEntry2[] ForVcpu(ReadOnlySpan<KvmCpuidEntry2> supported, int index, int vcpuCount, bool tscDeadline)
    {
        var entries = supported.ToArray();
        var apicId = (uint)index;
        var coreBits = (uint)BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)vcpuCount));
        for (var i = 0; i < entries.Length; i++)
        {
            ref var entry = ref entries[i];
            switch (entry.Function)
            {
                case 0x1:
                    entry.Ebx = (entry.Ebx & 0xFF)
                        | (ClflushLineSizeQwords << 8)
                        | (Math.Min(255u, BitOperations.RoundUpToPowerOf2((uint)vcpuCount)) << 16)
                        | (apicId << 24);
                    entry.Ecx = (entry.Ecx & ~Leaf1EcxPdcm) | Leaf1EcxHypervisor | (tscDeadline ? Leaf1EcxTscDeadline : 0);
                    entry.Edx = vcpuCount > 1 ? entry.Edx | Leaf1EdxHtt : entry.Edx & ~Leaf1EdxHtt;
                    break;
                case 0x4:
                    // Cores per package - 1 in bits 31-26.
                    entry.Eax = (entry.Eax & 0x03FF_FFFF) | (Math.Min(63u, (uint)vcpuCount - 1) << 26);
                    break;
                case 0xB:
                case 0x1F:
                    SetExtendedTopology(ref entry, apicId, coreBits, (uint)vcpuCount);
                    break;
                case 0x8000_0008:
                    // AMD: number of cores - 1 and the APIC ID bits that select the core.
                    entry.Ecx = (entry.Ecx & ~0xF0FFu) | (coreBits << 12) | (uint)(vcpuCount - 1);
                    break;
                case 0x8000_001E:
                    entry.Eax = apicId;
                    entry.Ebx = (entry.Ebx & ~0xFFFFu) | (apicId & 0xFF);
                    break;
            }
        }
        return entries;
    }

    /// <summary>Leaf 0xB/0x1F: level 0 = SMT (one thread), level 1 = core (all vCPUs), then invalid.</summary>
    private static void SetExtendedTopology(ref KvmCpuidEntry2 entry, uint apicId, uint coreBits, uint vcpuCount)
    {
        (entry.Eax, entry.Ebx, entry.Ecx) = entry.Index switch
        {
            0 => (0u, 1u, (1u << 8) | 0),
            1 => (coreBits, vcpuCount, (2u << 8) | 1),
            _ => (0u, 0u, entry.Index & 0xFF),
        };
        entry.Edx = apicId;
    }
}
