using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Registry;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>Extra disks in StartVm: checked like every image, kept in order, refused in the reply when wrong.</summary>
[TestFixture, Category("Unit")]
public sealed class ExtraDiskRequestTests
{
    private static readonly Caller Owner = new(1000);
    private static readonly VmKey Key = VmKey.Create(1000, "dev");

    [Test]
    public async Task DisksAreKeptInOrderAndAStartAsItWasAttachesThemAgain()
    {
        await using var api = new ApiUnderTest();
        var data = api.Api.CreateDisk(Owner, Owner.Uid, "data", 1 << 20).Image.Path;
        var media = api.Api.CreateDisk(Owner, Owner.Uid, "media", 1 << 20).Image.Path;
        DiskDefinition[] expected = [new(data, Writable: true), new(media, Writable: false)];

        api.Api.Start(Owner, Owner.Uid, Key.Name, new VmStartRequest
        {
            Disks = [new DiskRequest(data, null, Writable: true), new DiskRequest(media, null, Writable: false)],
        }, out _);
        var first = await api.Factory.NextAsync();
        await api.Api.StopAsync(Owner, Key);
        api.Api.Start(Owner, Owner.Uid, Key.Name, new VmStartRequest(), out _);
        var second = await api.Factory.NextAsync();

        Assert.That(first.Launch.Definition.Disks, Is.EqualTo(expected));
        Assert.That(second.Launch.Definition.Disks, Is.EqualTo(expected), "the stored disks come back");
    }

    [Test]
    public async Task ADiskOutsideTheCallersDirectoriesIsRefusedAndNothingIsRegistered()
    {
        await using var api = new ApiUnderTest();

        var refused = Assert.Throws<CallerAccessDeniedException>(() => api.Api.Start(Owner, Owner.Uid, Key.Name,
            new VmStartRequest { Disks = [new DiskRequest("/etc/passwd", null, Writable: false)] }, out _));

        Assert.That(refused!.Message, Does.Contain("disks[0]"));
        Assert.That(api.Vms.Find(Key), Is.Null);
    }

    [Test]
    public async Task MoreDisksThanThePciBusHoldsAreRefused()
    {
        await using var api = new ApiUnderTest();
        var data = api.Api.CreateDisk(Owner, Owner.Uid, "data", 1 << 20).Image.Path;

        var refused = Assert.Throws<InvalidRequestException>(() => api.Api.Start(Owner, Owner.Uid, Key.Name, new VmStartRequest
        {
            Disks = [.. Enumerable.Repeat(new DiskRequest(data, null, Writable: false), VmDefinitionBuilder.MaxDisks + 1)],
        }, out _));

        Assert.That(refused!.Message, Does.Contain($"at most {VmDefinitionBuilder.MaxDisks}"));
    }

    [Test]
    public async Task AReadOnlyFdPassedForAWritableDiskIsRefusedAndClosed()
    {
        await using var api = new ApiUnderTest();
        var data = api.Api.CreateDisk(Owner, Owner.Uid, "data", 1 << 20).Image.Path;
        var fd = File.OpenHandle(data, FileMode.Open, FileAccess.Read);

        var refused = Assert.Throws<InvalidRequestException>(() => api.Api.Start(Owner, Owner.Uid, Key.Name,
            new VmStartRequest { Disks = [new DiskRequest(null, fd, Writable: true)] }, out _));

        Assert.That(refused!.Message, Does.Contain("disk 0"));
        Assert.That(fd.IsClosed, Is.True);
        Assert.That(api.Vms.Find(Key), Is.Null);
    }
}
