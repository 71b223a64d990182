using Concierge.Tests.TestSupport;
using Concierge.Vmm;
using Concierge.Vmm.Images;
using NUnit.Framework;

namespace Concierge.Tests.Vmm;

/// <summary>
/// When a VM may be paused and resumed, without KVM: a VM built from parts with no vCPUs (only a
/// test can make one) follows the same rules as a real one, it just has no thread to park.
/// Parking real vCPUs is tested in StockKernelBootTests (Kvm).
/// </summary>
[TestFixture, Category("Unit")]
public sealed class VirtualMachinePauseRulesTests
{
    [Test]
    public async Task PauseOrResumeBeforeStartIsRefused()
    {
        await using var vm = WithoutVcpus();
        var pause = Assert.ThrowsAsync<InvalidOperationException>(() => vm.PauseAsync());
        Assert.That(pause!.Message, Does.Contain("not been started"));
        Assert.ThrowsAsync<InvalidOperationException>(() => vm.ResumeAsync());
    }

    [Test]
    public async Task PauseAndResumeAreIdempotent()
    {
        await using var vm = WithoutVcpus();
        vm.Start();
        await vm.ResumeAsync();
        Assert.That(vm.IsPaused, Is.False, "resuming a running VM does nothing");
        await vm.PauseAsync();
        await vm.PauseAsync();
        Assert.That(vm.IsPaused, Is.True, "a second pause does nothing");
        await vm.ResumeAsync();
        await vm.ResumeAsync();
        Assert.That(vm.IsPaused, Is.False);
    }

    [Test]
    public async Task AStoppedVmIsNotPausedAndCannotBePausedOrResumed()
    {
        await using var vm = WithoutVcpus();
        vm.Start();
        await vm.PauseAsync();
        await vm.StopAsync();
        Assert.That(vm.IsPaused, Is.False);
        var pause = Assert.ThrowsAsync<InvalidOperationException>(() => vm.PauseAsync());
        Assert.That(pause!.Message, Does.Contain("ended").And.Contain(nameof(VmExitReason.HostStop)));
        Assert.ThrowsAsync<InvalidOperationException>(() => vm.ResumeAsync());
    }

    [Test]
    public async Task ADisposedVmCannotBePaused()
    {
        var vm = WithoutVcpus();
        vm.Start();
        await vm.DisposeAsync();
        Assert.ThrowsAsync<ObjectDisposedException>(() => vm.PauseAsync());
    }

    [Test]
    public async Task ACancelledPauseLeavesTheVmRunning()
    {
        await using var vm = WithoutVcpus();
        vm.Start();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => vm.PauseAsync(cancelled.Token));
        Assert.That(vm.IsPaused, Is.False);
    }

    private static VirtualMachine WithoutVcpus() => new(new VmParts(new VmSpec(ImageFile.Open(RepoPaths.Vmlinuz, writable: false), null, 1, 64), new VmConsole(null)));
}
