using Concierge.Vmm;
using Concierge.Vmm.Images;

namespace Concierge.Tests.TestSupport;

/// <summary>Specs for the guests the Kvm tests boot: Debian's stock kernel with a test initramfs.</summary>
public static class StockGuest
{
    /// <summary>A spec of the stock kernel and <paramref name="initrd"/>; the VM built from it owns both files.</summary>
    public static VmSpec Spec(string initrd, int vcpus, int memoryMiB, string commandLine) =>
        new(ImageFile.Open(RepoPaths.Vmlinuz, writable: false), ImageFile.Open(initrd, writable: false), vcpus, memoryMiB, commandLine);
}
