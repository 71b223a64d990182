using Concierge.Service.Api;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>What Suspend and Resume answer: a wrong state and a failed monitor are told apart.</summary>
[TestFixture, Category("Unit")]
public sealed class SuspendReplyTests
{
    private static readonly Caller Owner = new(1000);
    private static readonly VmKey Key = VmKey.Create(1000, "dev");

    [Test]
    public async Task AMonitorThatFailsToPauseIsAnOperationErrorNotAWrongState()
    {
        await using var api = new ApiUnderTest();
        var vm = await StartRunningAsync(api);
        vm.PauseFailure = new InvalidOperationException("vCPU 0 did not park");

        var failed = Assert.ThrowsAsync<VmOperationException>(() => api.Api.SuspendAsync(Owner, Key));

        Assert.That(failed!.Message, Is.EqualTo("could not suspend VM dev: vCPU 0 did not park"));
        Assert.That(api.Api.Get(Owner, Key).Status.State, Is.EqualTo(VmState.Running));
    }

    [Test]
    public async Task ASuspendOfAVmThatIsNotRunningIsAWrongState()
    {
        await using var api = new ApiUnderTest();
        await StartRunningAsync(api);
        await api.Api.SuspendAsync(Owner, Key);

        var twice = Assert.ThrowsAsync<InvalidVmStateException>(() => api.Api.SuspendAsync(Owner, Key));
        var resumed = api.Api.ResumeAsync(Owner, Key);
        await resumed;
        var again = Assert.ThrowsAsync<InvalidVmStateException>(() => api.Api.ResumeAsync(Owner, Key));

        Assert.That(twice!.Message, Does.Contain("only a running VM can be suspended"));
        Assert.That(again!.Message, Does.Contain("only a suspended VM can be resumed"));
    }

    private static async Task<FakeVm> StartRunningAsync(ApiUnderTest api)
    {
        api.Api.Start(Owner, Owner.Uid, Key.Name, new VmStartRequest(), out _);
        var vm = await api.Factory.NextAsync();
        await vm.HelloAsync();
        Assert.That(await api.Vms.SupervisorsRespondAsync(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(api.Api.Get(Owner, Key).Status.State, Is.EqualTo(VmState.Running));
        return vm;
    }
}
