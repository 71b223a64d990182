using Concierge.Tests.TestSupport;
using Concierge.Vmm;
using Concierge.Vmm.Boot;
using Concierge.Vmm.Images;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Boot;

/// <summary>The bzImage header parser against Debian's real kernel and against broken copies of it.</summary>
[TestFixture, Category("Unit")]
public sealed class BzImageTests
{
    [Test]
    public void ReadsTheStockKernelsHeader()
    {
        using var image = ImageFile.Open(RepoPaths.Vmlinuz, writable: false);
        var header = BzImage.ReadHeader(image);
        Assert.That(header.ProtocolVersion, Is.GreaterThanOrEqualTo((ushort)0x020C));
        Assert.That(header.SetupBytes % 512, Is.Zero);
        Assert.That(header.SetupBytes + header.PayloadBytes, Is.EqualTo(image.Length));
        Assert.That(header.CommandLineMax, Is.GreaterThanOrEqualTo(255u));
        Assert.That(header.InitSize, Is.GreaterThan(0u));
        Assert.That(header.InitrdAddressMax, Is.GreaterThan(0x100_0000u));
        Assert.That(header.SetupHeader[0x202 - BzImageHeader.SetupHeaderOffset], Is.EqualTo((byte)'H'), "the copied header starts at 0x1F1");
    }

    [Test]
    public void TooShortFileIsTruncated() => AssertRejected(image => image[..600], "truncated");

    [Test]
    public void MissingPayloadIsTruncated() => AssertRejected(image => image[..(image.Length / 2)], "truncated");

    [Test]
    public void BadMagicIsNotABzImage() => AssertRejected(image => Patch(image, 0x202, (byte)'X'), "not a bzImage");

    [Test]
    public void OldBootProtocolIsRefused() => AssertRejected(image => Patch(image, 0x206, 0x01, 0x02), "boot protocol 2.1");

    [Test]
    public void KernelWithout64BitEntryIsRefused() => AssertRejected(image => Patch(image, 0x236, 0x00, 0x00), "64-bit entry");

    private static byte[] Patch(byte[] image, int offset, params byte[] bytes)
    {
        var copy = (byte[])image.Clone();
        bytes.CopyTo(copy, offset);
        return copy;
    }

    private static void AssertRejected(Func<byte[], byte[]> damage, string expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, damage(File.ReadAllBytes(RepoPaths.Vmlinuz)));
            using var image = ImageFile.Open(path, writable: false);
            var error = Assert.Throws<VmConfigException>(() => BzImage.ReadHeader(image));
            Assert.That(error!.Message, Does.Contain(expected));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
