using System.Buffers.Binary;
using Concierge.Vmm.Kvm;
using Concierge.Vmm.Kvm.Interop;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Boot;

/// <summary>
/// The state the boot vCPU starts in for the kernel's 64-bit entry: long mode with paging on,
/// a flat GDT, identity-mapped low 4 GiB (2 MiB pages), RSI pointing at the zero page.
/// </summary>
internal static class BootCpuState
{
    private const int CodeIndex = 2;
    private const int DataIndex = 3;
    private const int TssIndex = 4;
    private const ulong Cr0ProtectionEnable = 1UL << 0;
    private const ulong Cr0ExtensionType = 1UL << 4;
    private const ulong Cr0Paging = 1UL << 31;
    private const ulong Cr4Pae = 1UL << 5;
    private const ulong EferLme = 1UL << 8;
    private const ulong EferLma = 1UL << 10;
    private const ulong PagePresentWritable = 0x3;
    private const ulong PageHuge = 0x80;
    private const int IdentityMappedGiB = 4;

    private static readonly GdtEntry[] Gdt = [GdtEntry.Null, GdtEntry.Null, GdtEntry.Code64, GdtEntry.Data, GdtEntry.Tss];

    /// <summary>Writes the GDT, IDT and page tables into guest memory (once per VM).</summary>
    public static void WriteTables(GuestMemory memory)
    {
        for (var i = 0; i < Gdt.Length; i++)
        {
            memory.Write(BootLayout.GdtAddress + (ulong)(i * 8), Gdt[i].Descriptor);
        }
        memory.Write(BootLayout.IdtAddress, 0UL);

        var pml4 = BootLayout.PageTablesAddress;
        var pdpt = pml4 + 0x1000;
        var firstPd = pdpt + 0x1000;
        memory.GetSpan(pml4, 0x1000 * (2 + IdentityMappedGiB)).Clear();
        memory.Write(pml4, pdpt | PagePresentWritable);
        for (var gib = 0UL; gib < IdentityMappedGiB; gib++)
        {
            var pd = firstPd + gib * 0x1000;
            memory.Write(pdpt + gib * 8, pd | PagePresentWritable);
            var entries = memory.GetSpan(pd, 0x1000);
            for (var i = 0; i < 512; i++)
            {
                var physical = (gib << 30) | ((ulong)i << 21);
                BinaryPrimitives.WriteUInt64LittleEndian(entries[(i * 8)..], physical | PagePresentWritable | PageHuge);
            }
        }
    }

    /// <summary>Puts the boot vCPU at <paramref name="kernel"/>'s 64-bit entry.</summary>
    public static void Apply(KvmVcpu vcpu, in LoadedKernel kernel)
    {
        var sregs = vcpu.GetSregs();
        var code = Gdt[CodeIndex].ToSegment(CodeIndex);
        var data = Gdt[DataIndex].ToSegment(DataIndex);
        sregs.Cs = code;
        sregs.Ds = sregs.Es = sregs.Fs = sregs.Gs = sregs.Ss = data;
        sregs.Tr = Gdt[TssIndex].ToSegment(TssIndex);
        sregs.Gdt = new KvmDtable { Base = BootLayout.GdtAddress, Limit = (ushort)(Gdt.Length * 8 - 1) };
        sregs.Idt = new KvmDtable { Base = BootLayout.IdtAddress, Limit = 7 };
        // Caching stays enabled (CD/NW clear): the reset value of CR0 disables it, which makes the
        // decompressor crawl on some hosts.
        sregs.Cr0 = Cr0ProtectionEnable | Cr0ExtensionType | Cr0Paging;
        sregs.Cr3 = BootLayout.PageTablesAddress;
        sregs.Cr4 = Cr4Pae;
        sregs.Efer = EferLme | EferLma;
        vcpu.SetSregs(sregs);

        vcpu.SetRegs(new KvmRegs
        {
            Rflags = 0x2,
            Rip = kernel.EntryPoint,
            Rsi = kernel.ZeroPageAddress,
            Rsp = BootLayout.BootStackPointer,
            Rbp = BootLayout.BootStackPointer,
        });
        vcpu.SetFpu(new KvmFpu { Fcw = 0x37F, Mxcsr = 0x1F80 });
    }
}
