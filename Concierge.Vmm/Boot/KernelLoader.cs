using System.Text;
using Concierge.Vmm.Images;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Boot;

/// <summary>
/// Loads a bzImage, its initrd and command line into guest memory per the Linux x86 boot
/// protocol and writes the zero page. The kernel is entered at its 64-bit entry point.
/// </summary>
internal static class KernelLoader
{
    private const ulong PageSize = 4096;

    /// <summary>Loads everything; all caller mistakes are reported as <see cref="VmConfigException"/>.</summary>
    public static LoadedKernel Load(GuestMemory memory, ImageFile kernel, ImageFile? initrd, string commandLine, ulong acpiRsdpAddress)
    {
        var header = BzImage.ReadHeader(kernel);
        var low = memory.Regions[0];

        // A relocatable kernel decompresses at max(load address, pref_address) and needs init_size from there.
        var kernelEnd = Math.Max(BootLayout.KernelLoadAddress, header.PreferredAddress) + header.InitSize;
        var payloadEnd = BootLayout.KernelLoadAddress + (ulong)header.PayloadBytes;
        if (Math.Max(kernelEnd, payloadEnd) > low.End)
        {
            throw new VmConfigException(
                $"guest memory too small for kernel {kernel.Name}: it needs 0x{Math.Max(kernelEnd, payloadEnd):x} bytes below the MMIO hole, RAM ends at 0x{low.End:x}");
        }
        kernel.ReadExactly(memory.GetSpan(BootLayout.KernelLoadAddress, checked((int)header.PayloadBytes)), header.SetupBytes);

        WriteCommandLine(memory, commandLine, header);
        var (initrdAddress, initrdSize) = initrd is null
            ? (0UL, 0UL)
            : LoadInitrd(memory, initrd, header, Math.Max(kernelEnd, payloadEnd));

        ZeroPage.Write(memory, BootLayout.ZeroPageAddress, new ZeroPage.Contents(
            header, BootLayout.CommandLineAddress, initrdAddress, initrdSize, E820Map.For(memory), acpiRsdpAddress));
        return new LoadedKernel(
            BootLayout.KernelLoadAddress + BzImageHeader.Entry64Offset, BootLayout.ZeroPageAddress, initrdAddress, initrdSize);
    }

    private static void WriteCommandLine(GuestMemory memory, string commandLine, BzImageHeader header)
    {
        var bytes = Encoding.UTF8.GetBytes(commandLine);
        var max = header.CommandLineMax == 0 ? 255u : header.CommandLineMax;
        if (bytes.Length > max)
        {
            throw new VmConfigException($"kernel command line is {bytes.Length} bytes; this kernel accepts at most {max}");
        }
        if (bytes.Contains((byte)0))
        {
            throw new VmConfigException("kernel command line contains a NUL character");
        }
        memory.Write(BootLayout.CommandLineAddress, bytes);
        memory.GetSpan(BootLayout.CommandLineAddress + (ulong)bytes.Length, 1)[0] = 0;
    }

    /// <summary>Places the initrd as high as allowed (top of low RAM, at most initrd_addr_max), above the kernel.</summary>
    private static (ulong Address, ulong Size) LoadInitrd(GuestMemory memory, ImageFile initrd, BzImageHeader header, ulong kernelEnd)
    {
        var path = initrd.Name;
        var size = (ulong)initrd.Length;
        if (size == 0)
        {
            throw new VmConfigException($"initrd {path} is empty");
        }
        var ceiling = Math.Min(memory.Regions[0].End, (ulong)header.InitrdAddressMax + 1);
        if (size > ceiling || (ceiling - size) / PageSize * PageSize < kernelEnd)
        {
            throw new VmConfigException(
                $"initrd {path} ({size >> 20} MiB) does not fit between the kernel (ends at {kernelEnd >> 20} MiB) and {ceiling >> 20} MiB; give the VM more memory");
        }
        var address = (ceiling - size) / PageSize * PageSize;
        initrd.ReadExactly(memory.GetSpan(address, checked((int)size)), 0);
        return (address, size);
    }
}
