using System.Buffers.Binary;
using System.Text;
using Concierge.Tests.TestSupport;
using Concierge.Vmm;
using Concierge.Vmm.Boot;
using Concierge.Vmm.Images;
using Concierge.Vmm.Memory;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Boot;

/// <summary>Loading the real kernel into guest memory: zero page, command line, initrd placement, and the errors a caller can cause.</summary>
[TestFixture, Category("Unit")]
public sealed class KernelLoaderTests
{
    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("loader-");

    [TearDown]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [Test]
    public void LoadsKernelInitrdAndZeroPage()
    {
        using var memory = GuestMemory.Create(256UL << 20);
        var initrd = WriteFile("initrd", 3 << 20);
        using var kernel = Kernel();
        using var initrdFile = ImageFile.Open(initrd, writable: false);
        var loaded = KernelLoader.Load(memory, kernel, initrdFile, "console=ttyS0 quiet", 0xE0000);

        Assert.That(loaded.EntryPoint, Is.EqualTo(BootLayout.KernelLoadAddress + 0x200));
        Assert.That(loaded.InitrdAddress % 4096, Is.Zero);
        Assert.That(loaded.InitrdAddress + loaded.InitrdSize, Is.LessThanOrEqualTo(256UL << 20));
        Assert.That(loaded.InitrdAddress, Is.GreaterThan(250UL << 20), "the initrd sits at the top of RAM");
        Assert.That(memory.GetSpan(loaded.InitrdAddress, 4).ToArray(), Is.EqualTo(File.ReadAllBytes(initrd)[..4]));

        var zeroPage = memory.GetSpan(loaded.ZeroPageAddress, 4096);
        Assert.That(Encoding.ASCII.GetString(zeroPage.Slice(0x202, 4)), Is.EqualTo("HdrS"));
        Assert.That(zeroPage[0x210], Is.EqualTo((byte)0xFF), "type_of_loader");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(zeroPage[0x218..]), Is.EqualTo((uint)loaded.InitrdAddress));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(zeroPage[0x21C..]), Is.EqualTo(3u << 20));
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(zeroPage[0x70..]), Is.EqualTo(0xE0000UL), "acpi_rsdp_addr");
        Assert.That(zeroPage[0x1E8], Is.EqualTo((byte)3), "e820 entries");
        var commandLine = BinaryPrimitives.ReadUInt32LittleEndian(zeroPage[0x228..]);
        Assert.That(Encoding.ASCII.GetString(memory.GetSpan(commandLine, 20)), Is.EqualTo("console=ttyS0 quiet\0"));

        var header = BzImage.ReadHeader(kernel);
        var payloadStart = new byte[64];
        kernel.ReadExactly(payloadStart, header.SetupBytes);
        Assert.That(memory.GetSpan(BootLayout.KernelLoadAddress, 64).ToArray(), Is.EqualTo(payloadStart));
    }

    [Test]
    public void InitrdTooBigForMemoryIsAConfigError()
    {
        using var memory = GuestMemory.Create(96UL << 20);
        using var kernel = Kernel();
        using var initrd = ImageFile.Open(WriteFile("big", 80 << 20), writable: false);
        var error = Assert.Throws<VmConfigException>(() => KernelLoader.Load(memory, kernel, initrd, "", 0));
        Assert.That(error!.Message, Does.Contain("does not fit"));
    }

    [Test]
    public void MemoryTooSmallForTheKernelIsAConfigError()
    {
        using var memory = GuestMemory.Create(16UL << 20);
        using var kernel = Kernel();
        var error = Assert.Throws<VmConfigException>(() => KernelLoader.Load(memory, kernel, null, "", 0));
        Assert.That(error!.Message, Does.Contain("too small"));
    }

    [Test]
    public void CommandLineLongerThanTheKernelAcceptsIsAConfigError()
    {
        using var memory = GuestMemory.Create(128UL << 20);
        using var kernel = Kernel();
        var error = Assert.Throws<VmConfigException>(() => KernelLoader.Load(memory, kernel, null, new string('x', 5000), 0));
        Assert.That(error!.Message, Does.Contain("command line"));
    }

    [Test]
    public void MissingFilesAreConfigErrors() =>
        Assert.Throws<VmConfigException>(() => ImageFile.Open(Path.Combine(_scratch.FullName, "none"), writable: false));

    [Test]
    public void AnImageThatShrankSinceItWasSizedIsAConfigError()
    {
        var path = WriteFile("shrinking", 1 << 20);
        using var initrd = ImageFile.Open(path, writable: false);
        File.WriteAllBytes(path, new byte[100]);
        Assert.Throws<VmConfigException>(() => initrd.ReadExactly(new byte[4096], 0));
    }

    private static ImageFile Kernel() => ImageFile.Open(RepoPaths.Vmlinuz, writable: false);

    private string WriteFile(string name, int size)
    {
        var path = Path.Combine(_scratch.FullName, name);
        var data = new byte[size];
        new Random(1).NextBytes(data.AsSpan(0, 4096));
        File.WriteAllBytes(path, data);
        return path;
    }
}
