using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>What StartVm answers: the state the VM is really in, and never an option it ignored.</summary>
[TestFixture, Category("Unit")]
public sealed class StartVmReplyTests
{
    private static readonly Caller Owner = new(1000);

    [Test]
    public async Task ManyStartsAtOnceEachAnswerStarting()
    {
        await using var api = new ApiUnderTest();

        var views = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => api.Api.Start(Owner, Owner.Uid, $"vm{i}", new VmStartRequest(), out _))));

        Assert.That(views.Select(v => v.Status.State), Has.All.EqualTo(VmState.Starting));
        Assert.That(views.Select(v => v.Cid), Has.All.Not.Null);
    }

    [Test]
    public async Task AStartOfAnActiveVmAsIsAnswersItsRunAndStartsNothing()
    {
        await using var api = new ApiUnderTest();
        var first = api.Api.Start(Owner, Owner.Uid, "dev", new VmStartRequest { Vcpus = 1 }, out var startedFirst);
        await api.Factory.NextAsync();

        var again = api.Api.Start(Owner, Owner.Uid, "dev", new VmStartRequest(), out var startedAgain);
        var same = api.Api.Start(Owner, Owner.Uid, "dev", new VmStartRequest { Vcpus = 1 }, out var startedSame);
        Assert.That(await api.Vms.SupervisorsRespondAsync(TimeSpan.FromSeconds(30)), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That((startedFirst, startedAgain, startedSame), Is.EqualTo((true, false, false)));
            Assert.That(again.Cid, Is.EqualTo(first.Cid));
            Assert.That(same.Cid, Is.EqualTo(first.Cid));
            Assert.That(api.Factory.CreatedCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AStartOfAnActiveVmWithOtherOptionsIsRefused()
    {
        await using var api = new ApiUnderTest();
        api.Api.Start(Owner, Owner.Uid, "dev", new VmStartRequest(), out _);

        var other = Assert.Throws<InvalidVmStateException>(() =>
            api.Api.Start(Owner, Owner.Uid, "dev", new VmStartRequest { MemoryMiB = 1024 }, out _));

        Assert.That(other!.Message, Does.Contain("dev is active (starting) with other options"));
        Assert.That(api.Api.Get(Owner, VmKeyOf("dev")).Definition.MemoryMiB, Is.Not.EqualTo(1024), "the refused options are not stored");
    }

    [Test]
    public async Task AStartOfAnActiveVmIsValidatedBeforeItIsAnswered()
    {
        await using var api = new ApiUnderTest();
        api.Api.Start(Owner, Owner.Uid, "dev", new VmStartRequest(), out _);

        var shadow = Assert.Throws<CallerAccessDeniedException>(() =>
            api.Api.Start(Owner, Owner.Uid, "dev", new VmStartRequest { KernelPath = "/etc/shadow" }, out _));

        Assert.That(shadow!.Message, Does.Contain("kernel_path"));
    }

    private static Concierge.Service.Registry.VmKey VmKeyOf(string name) => Concierge.Service.Registry.VmKey.Create(Owner.Uid, name);
}
