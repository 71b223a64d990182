using Concierge.Service.Registry;
using NUnit.Framework;

namespace Concierge.Tests.Service.Registry;

[TestFixture, Category("Unit")]
public sealed class CidAllocatorTests
{
    [Test]
    public void Allocates_from_32_up()
    {
        var cids = new CidAllocator();
        Assert.That(new[] { cids.Allocate(), cids.Allocate(), cids.Allocate() }, Is.EqualTo(new[] { 32u, 33u, 34u }));
        Assert.That(cids.InUseCount, Is.EqualTo(3));
    }

    [Test]
    public void Reuses_released_cids_lowest_first()
    {
        var cids = new CidAllocator();
        for (var i = 0; i < 5; i++)
        {
            cids.Allocate();
        }
        Assert.That(cids.Release(35), Is.True);
        Assert.That(cids.Release(33), Is.True);

        Assert.That(new[] { cids.Allocate(), cids.Allocate(), cids.Allocate() }, Is.EqualTo(new[] { 33u, 35u, 37u }));
    }

    [Test]
    public void Refuses_to_release_what_it_did_not_hand_out()
    {
        var cids = new CidAllocator();
        var cid = cids.Allocate();

        Assert.That(cids.Release(2), Is.False);
        Assert.That(cids.Release(cid), Is.True);
        Assert.That(cids.Release(cid), Is.False, "double release");
        Assert.That(cids.InUseCount, Is.Zero);
    }

    [Test]
    public void Is_safe_under_concurrent_use()
    {
        var cids = new CidAllocator();
        var handedOut = new System.Collections.Concurrent.ConcurrentBag<uint>();
        Parallel.For(0, 1000, _ =>
        {
            var cid = cids.Allocate();
            handedOut.Add(cid);
            cids.Release(cid);
        });
        Assert.That(cids.InUseCount, Is.Zero);
        Assert.That(handedOut, Has.All.InRange(32u, 32u + 1000u));
    }
}
