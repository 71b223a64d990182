using Concierge.Vmm.Memory;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Memory;

[TestFixture, Category("Unit")]
public sealed class GuestMemoryTests
{
    [Test]
    public void SmallRamIsOneRegionFromZero()
    {
        using var memory = GuestMemory.Create(64 << 20);
        Assert.That(memory.Regions, Has.Count.EqualTo(1));
        Assert.That(memory.Regions[0].GuestAddress, Is.Zero);
        Assert.That(memory.Size, Is.EqualTo(64UL << 20));
    }

    [Test]
    public void RamLargerThanTheHoleContinuesAboveFourGiB()
    {
        using var memory = GuestMemory.Create(GuestMemory.MmioHoleStart + (16 << 20));
        Assert.That(memory.Regions, Has.Count.EqualTo(2));
        Assert.That(memory.Regions[1].GuestAddress, Is.EqualTo(GuestMemory.HighMemoryStart));
        Assert.That(memory.Contains(GuestMemory.MmioHoleStart, 1), Is.False, "the MMIO hole holds no RAM");
        Assert.That(memory.Contains(GuestMemory.HighMemoryStart + (16 << 20) - 8, 8), Is.True);
    }

    [Test]
    public void WritesAreReadBack()
    {
        using var memory = GuestMemory.Create(1 << 20);
        memory.Write(0x1000, 0xdead_beef_cafe_f00dUL);
        memory.Write(0x2000, "hello"u8);
        Assert.That(memory.Read<ulong>(0x1000), Is.EqualTo(0xdead_beef_cafe_f00dUL));
        Assert.That(memory.GetSpan(0x2000, 5).ToArray(), Is.EqualTo("hello"u8.ToArray()));
    }

    [TestCase(0x10_0000UL, 1)]
    [TestCase(0xF_FFFFUL, 2)]
    [TestCase(ulong.MaxValue, 1)]
    [TestCase(ulong.MaxValue - 4, 16)]
    public void AccessOutsideRamIsAGuestFault(ulong address, int length)
    {
        using var memory = GuestMemory.Create(1 << 20);
        Assert.That(() => memory.GetSpan(address, length), Throws.TypeOf<GuestMemoryAccessException>());
    }

    [Test]
    public void MisalignedSharedFieldIsAGuestFault()
    {
        using var memory = GuestMemory.Create(1 << 20);
        Assert.That(() => memory.GetAlignedRef<ushort>(0x1001), Throws.TypeOf<GuestMemoryAccessException>());
        Assert.That(() => memory.GetAlignedRef<ushort>(0x1002), Throws.Nothing);
    }

    [TestCase(0UL)]
    [TestCase(4095UL)]
    public void SizeMustBeWholePages(ulong size) =>
        Assert.That(() => GuestMemory.Create(size), Throws.TypeOf<ArgumentOutOfRangeException>());
}
