using Concierge.Contracts;
using Concierge.Service.Protocol;
using Concierge.Service.Storage;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using Google.Protobuf;
using NUnit.Framework;
using Tmds.DBus.Protocol;

namespace Concierge.Tests.Service.Api;

/// <summary>The Chrome OS-compatible face driven by a protobuf client over a private bus.</summary>
[TestFixture]
[Category("Bus")]
public sealed class ChromeOsFaceTests : ConnectedServiceFixture
{
    private static readonly string[] StartThenStop = ["VmStartingUpSignal", "VmStoppedSignal"];

    [Test]
    public async Task DiskImagesFollowChromeOsStatuses()
    {
        var create = new CreateDiskImageRequest { CryptohomeId = "0", VmName = "chrome-disk", DiskSize = 4 << 20 };
        var created = await ApiClient.CallAsync(Connection, "CreateDiskImage", create, CreateDiskImageResponse.Parser);
        var exists = await ApiClient.CallAsync(Connection, "CreateDiskImage", create, CreateDiskImageResponse.Parser);
        var fileWhileCreated = File.Exists(created.DiskPath);
        var listed = await ApiClient.CallAsync(Connection, "ListVmDisks", new ListVmDisksRequest { CryptohomeId = "0", VmName = "chrome-disk" }, ListVmDisksResponse.Parser);
        var destroyed = await ApiClient.CallAsync(Connection, "DestroyDiskImage", new DestroyDiskImageRequest { CryptohomeId = "0", VmName = "chrome-disk" }, DestroyDiskImageResponse.Parser);
        var gone = await ApiClient.CallAsync(Connection, "DestroyDiskImage", new DestroyDiskImageRequest { CryptohomeId = "0", VmName = "chrome-disk" }, DestroyDiskImageResponse.Parser);

        Assert.Multiple(() =>
        {
            Assert.That(created.Status, Is.EqualTo(DiskImageStatus.DiskStatusCreated));
            Assert.That((created.DiskSize, exists.DiskSize), Is.EqualTo((4UL << 20, 4UL << 20)), "the reply says the size");
            Assert.That(fileWhileCreated, Is.True);
            Assert.That(exists.Status, Is.EqualTo(DiskImageStatus.DiskStatusExists));
            Assert.That(exists.DiskPath, Is.EqualTo(created.DiskPath));
            Assert.That(listed.Success, Is.True);
            Assert.That(listed.Images.Select(i => (i.Name, i.Size)), Is.EqualTo(new[] { ("chrome-disk", 4UL << 20) }));
            Assert.That(listed.TotalSize, Is.EqualTo(4UL << 20));
            Assert.That(destroyed.Status, Is.EqualTo(DiskImageStatus.DiskStatusDestroyed));
            Assert.That(gone.Status, Is.EqualTo(DiskImageStatus.DiskStatusDoesNotExist));
        });
    }

    [Test]
    public async Task SizeZeroAnswersTheDefaultSizeItMade()
    {
        var zero = await ApiClient.CallAsync(Connection, "CreateDiskImage", new CreateDiskImageRequest { VmName = "defaulted" }, CreateDiskImageResponse.Parser);

        Assert.That(zero.Status, Is.EqualTo(DiskImageStatus.DiskStatusCreated), zero.FailureReason);
        Assert.That(zero.DiskSize, Is.EqualTo(DiskImageLimits.Default.DefaultBytes));
        Assert.That(new FileInfo(zero.DiskPath).Length, Is.EqualTo((long)zero.DiskSize));
    }

    [Test]
    public async Task MoreThanTheFreeSpaceIsNotEnoughSpace()
    {
        var free = (ulong)new DriveInfo(Service.StateDirectory).AvailableFreeSpace;
        var request = new CreateDiskImageRequest { VmName = "roomy", DiskSize = ((free >> 20) + 1024) << 20 };

        var roomy = await ApiClient.CallAsync(Connection, "CreateDiskImage", request, CreateDiskImageResponse.Parser);

        Assert.That(roomy.Status, Is.EqualTo(DiskImageStatus.DiskStatusNotEnoughSpace));
        Assert.That(roomy.FailureReason, Does.Contain("left on the service's file system"));
    }

    [Test]
    public async Task RefusedDiskImagesCarryFailureReasons()
    {
        var huge = await ApiClient.CallAsync(Connection, "CreateDiskImage", new CreateDiskImageRequest { VmName = "huge", DiskSize = ulong.MaxValue }, CreateDiskImageResponse.Parser);
        var qcow = await ApiClient.CallAsync(Connection, "CreateDiskImage", new CreateDiskImageRequest { VmName = "qcow", ImageType = DiskImageType.DiskImageQcow2 }, CreateDiskImageResponse.Parser);
        var unknownEnum = await ApiClient.CallAsync(Connection, "CreateDiskImage", new CreateDiskImageRequest { VmName = "enum", ImageType = (DiskImageType)77 }, CreateDiskImageResponse.Parser);

        Assert.Multiple(() =>
        {
            Assert.That(huge.Status, Is.EqualTo(DiskImageStatus.DiskStatusFailed));
            Assert.That(huge.FailureReason, Does.Contain("outside"));
            Assert.That(qcow.Status, Is.EqualTo(DiskImageStatus.DiskStatusFailed));
            Assert.That(unknownEnum.Status, Is.EqualTo(DiskImageStatus.DiskStatusFailed));
        });
    }

    [Test]
    public async Task StopSuspendAndResumeOfAnUnknownVmSucceed()
    {
        var stop = await ApiClient.CallAsync(Connection, "StopVm", new StopVmRequest { Name = "ghost", OwnerId = "0" }, SuccessFailureResponse.Parser);
        var suspend = await ApiClient.CallAsync(Connection, "SuspendVm", new SuspendVmRequest { Name = "ghost", OwnerId = "0" }, SuccessFailureResponse.Parser);
        var resume = await ApiClient.CallAsync(Connection, "ResumeVm", new ResumeVmRequest { Name = "ghost", OwnerId = "0" }, SuccessFailureResponse.Parser);
        var info = await ApiClient.CallAsync(Connection, "GetVmInfo", new GetVmInfoRequest { Name = "ghost", OwnerId = "0" }, GetVmInfoResponse.Parser);

        Assert.Multiple(() =>
        {
            Assert.That(stop.Success && suspend.Success && resume.Success, Is.True);
            Assert.That(info.Success, Is.False);
            Assert.That(info.FailureReason, Does.Contain("no VM named 'ghost'"));
        });
    }

    [TestCase(new byte[] { 0xFF, 0xFF, 0xFF })]
    [TestCase(new byte[] { 0x0A, 0x80 })]
    [TestCase(new byte[] { 0x22, 0x05, 0x61 })]
    public async Task MalformedProtobufIsAFailureReasonNotACrash(byte[] garbage)
    {
        var response = await CallRawAsync("StartVm", garbage, StartVmResponse.Parser);
        var list = await ApiClient.CallAsync(Connection, "ListVms", new ListVmsRequest(), ListVmsResponse.Parser);

        Assert.Multiple(() =>
        {
            Assert.That(response.Success, Is.False);
            Assert.That(response.FailureReason, Does.StartWith("invalid argument: malformed request"));
            Assert.That(list.Success, Is.True);
        });
    }

    [Test]
    public async Task AnOversizedRequestIsRefusedBeforeParsing()
    {
        var response = await CallRawAsync("GetVmInfo", new byte[2 << 20], GetVmInfoResponse.Parser);

        Assert.That(response.FailureReason, Does.Contain("at most"));
    }

    [Test]
    public async Task UnknownEnumValuesAndBadNamesAreRefused()
    {
        var policy = await ApiClient.CallAsync(Connection, "StartVm", new StartVmRequest { Name = "enum", RestartPolicy = (RestartPolicy)99 }, StartVmResponse.Parser);
        var name = await ApiClient.CallAsync(Connection, "StartVm", new StartVmRequest { Name = new string('x', 61) }, StartVmResponse.Parser);
        var owner = await ApiClient.CallAsync(Connection, "StartVm", new StartVmRequest { Name = "x", OwnerId = "0042" }, StartVmResponse.Parser);

        Assert.Multiple(() =>
        {
            Assert.That(policy.FailureReason, Does.Contain("restart_policy 99"));
            Assert.That(name.FailureReason, Does.Contain("Empty or malformed VM name"));
            Assert.That(owner.FailureReason, Does.Contain("Empty or malformed owner ID"));
        });
    }

    [Test]
    public async Task ConcurrentStartsOfOneVmNeverCrashAndKeepOneRecord()
    {
        var starts = Enumerable.Range(0, 16).Select(_ =>
            ApiClient.CallAsync(Connection, "StartVm", new StartVmRequest { Name = "race" }, StartVmResponse.Parser));
        var responses = await Task.WhenAll(starts);
        var list = await ApiClient.CallAsync(Connection, "ListVms", new ListVmsRequest { OwnerId = "0" }, ListVmsResponse.Parser);

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.Success), Is.All.True, string.Join("\n", responses.Select(r => r.FailureReason)));
            Assert.That(responses.Select(r => r.VmInfo.Cid), Is.All.GreaterThanOrEqualTo(32));
            Assert.That(list.Vms.Count(v => v.Name == "race"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task LifecycleSignalsArriveInOrder()
    {
        var seen = new List<string>();
        var stopped = new TaskCompletionSource<VmStoppedSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = await Connection.WatchAsync(new MatchRule { Interface = ApiClient.ChromeOs, Path = ApiClient.Root }, message =>
        {
            var payload = message.GetBodyReader().ReadArrayOfByte();
            var member = message.MemberAsString;
            var name = member switch
            {
                "VmStartingUpSignal" => VmStartingUpSignal.Parser.ParseFrom(payload).Name,
                "VmStartedSignal" => VmStartedSignal.Parser.ParseFrom(payload).Name,
                "VmStoppingSignal" => VmStoppingSignal.Parser.ParseFrom(payload).Name,
                _ => VmStoppedSignal.Parser.ParseFrom(payload).Name,
            };
            if (name != "signals")
            {
                return;
            }
            lock (seen)
            {
                seen.Add(member!);
            }
            if (member == "VmStoppedSignal")
            {
                stopped.TrySetResult(VmStoppedSignal.Parser.ParseFrom(payload));
            }
        });

        var started = await ApiClient.CallAsync(Connection, "StartVm", new StartVmRequest { Name = "signals" }, StartVmResponse.Parser);
        var stop = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(started.Success, Is.True, started.FailureReason);
            Assert.That(seen, Is.EqualTo(StartThenStop));
            Assert.That(stop.Reason, Is.EqualTo(VmStopReason.VmFailed));
            Assert.That(stop.Cid, Is.EqualTo(started.VmInfo.Cid));
            Assert.That(stop.FailureReason, Is.Not.Empty);
        });
    }

    /// <summary>
    /// A crowd of new VMs started at once, each failing at once on the unbootable kernel: new VMs
    /// are registered while others change state. That once deadlocked the service (two locks
    /// taken in opposite orders); every start must get its answer and the service must go on.
    /// </summary>
    [Test]
    public async Task ACrowdOfParallelStartsAllGetAnswers()
    {
        var names = Enumerable.Range(0, 64).Select(i => $"crowd-{i}").ToList();

        var replies = await Task.WhenAll(names.Select(name =>
            ApiClient.CallAsync(Connection, "StartVm", new StartVmRequest { Name = name }, StartVmResponse.Parser)));
        var listed = await ApiClient.CallAsync(Connection, "ListVms", new ListVmsRequest(), ListVmsResponse.Parser);

        Assert.That(replies, Has.Length.EqualTo(names.Count));
        Assert.That(listed.Vms.Select(v => v.Name), Is.SupersetOf(names));
    }

    [Test]
    public async Task AWrongSignatureIsInvalidArgs()
    {
        var error = Assert.ThrowsAsync<DBusErrorReplyException>(() =>
            Connection.CallAsync(ConciergeProcess.BusName, ApiClient.Root, ApiClient.ChromeOs, "StartVm", "s", (ref MessageWriter w) => w.WriteString("not bytes")));
        Assert.That(error!.ErrorName, Is.EqualTo(DBusErrorNames.InvalidArgs));
    }

    private async Task<T> CallRawAsync<T>(string member, byte[] payload, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var reply = await Connection.CallAsync(ConciergeProcess.BusName, ApiClient.Root, ApiClient.ChromeOs, member, "ay", (ref MessageWriter w) => w.WriteArray(payload),
            static (message, _) => message.GetBodyReader().ReadArrayOfByte());
        return parser.ParseFrom(reply);
    }
}
