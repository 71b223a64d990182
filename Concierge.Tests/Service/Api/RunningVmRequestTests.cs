using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>
/// What requests to a running VM answer: Suspend and Resume tell a wrong state from a failed
/// monitor, and Exec reaches the guest through the VM's own supervisor.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class RunningVmRequestTests
{
    private static readonly Caller Owner = new(1000);
    private static readonly VmKey Key = VmKey.Create(1000, "dev");

    [Test]
    public async Task AMonitorThatFailsToPauseIsAnOperationErrorNotAWrongState()
    {
        await using var api = new ApiUnderTest();
        var vm = await api.StartRunningAsync(Key.Name);
        vm.PauseFailure = new InvalidOperationException("vCPU 0 did not park");

        var failed = Assert.ThrowsAsync<VmOperationException>(() => api.Api.SuspendAsync(Owner, Key));

        Assert.That(failed!.Message, Is.EqualTo("could not suspend VM dev: vCPU 0 did not park"));
        Assert.That(api.Api.Get(Owner, Key).Status.State, Is.EqualTo(VmState.Running));
    }

    [Test]
    public async Task ASuspendOfAVmThatIsNotRunningIsAWrongState()
    {
        await using var api = new ApiUnderTest();
        await api.StartRunningAsync(Key.Name);
        await api.Api.SuspendAsync(Owner, Key);

        var twice = Assert.ThrowsAsync<InvalidVmStateException>(() => api.Api.SuspendAsync(Owner, Key));
        var resumed = api.Api.ResumeAsync(Owner, Key);
        await resumed;
        var again = Assert.ThrowsAsync<InvalidVmStateException>(() => api.Api.ResumeAsync(Owner, Key));

        Assert.That(twice!.Message, Does.Contain("only a running VM can be suspended"));
        Assert.That(again!.Message, Does.Contain("only a suspended VM can be resumed"));
    }

    [Test]
    public async Task ExecReachesTheRunningGuestAndAStartingOneIsAWrongState()
    {
        await using var api = new ApiUnderTest();
        var vm = await api.StartRunningAsync(Key.Name);
        api.Api.Start(Owner, Owner.Uid, "booting", new VmStartRequest(), out _);

        var (code, stdout, _) = await api.Api.ExecAsync(Owner, Key, ["uname", "-r"], CancellationToken.None);
        var starting = Assert.ThrowsAsync<InvalidVmStateException>(() =>
            api.Api.ExecAsync(Owner, VmKey.Create(Owner.Uid, "booting"), ["true"], CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That((code, System.Text.Encoding.UTF8.GetString(stdout)), Is.EqualTo((0, "fake\n")));
            Assert.That(vm.Calls, Does.Contain("exec uname -r"));
            Assert.That(starting!.Message, Does.Contain("Exec needs a running guest"));
        });
    }
}
