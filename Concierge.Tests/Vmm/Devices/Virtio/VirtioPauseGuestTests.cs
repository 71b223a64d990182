using System.Security.Cryptography;
using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmm.Devices.Virtio.Guest;
using Concierge.Vmm;
using Concierge.Vmm.Devices.Virtio.Vsock;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Devices.Virtio;

/// <summary>
/// Pause means pause for devices too, on real KVM with the stock kernel: while the VM is paused, a
/// host peer's data for the guest waits in the vsock device (no chain used, no interrupt, no pass);
/// after resume it all reaches the guest intact.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class VirtioPauseGuestTests
{
    private const ulong GuestCid = 3;
    private const uint GuestPort = 5000;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);
    // Many times what the device needs to hand a chunk to a running guest.
    private static readonly TimeSpan PausedFor = TimeSpan.FromSeconds(3);

    private static readonly string Script = $"""
        for i in $(seq 1 100); do [ -c /dev/vsock ] && break; sleep 0.1; done
        vsockio listen {GuestPort} </dev/null >/tmp/h2g
        echo "H2G-RECEIVED $(sha256sum /tmp/h2g)"
        poweroff -f
        """;

    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("virtio-pause-");

    [TearDown]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [Test]
    public async Task APausedVmsDevicesDeliverNothingUntilItResumes()
    {
        var initrd = await VirtioGuestImage.CreateAsync(_scratch.FullName, Script);
        var data = RandomNumberGenerator.GetBytes(1 << 20);
        var spec = StockGuest.Spec(initrd, vcpus: 1, memoryMiB: 256, VirtioGuestTests.CommandLine) with { Vsock = new VsockDeviceSpec(GuestCid) };
        await using var vm = new VmBuilder(spec).Build();
        var vsock = vm.Vsock!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        vm.Console.LineReceived += line =>
        {
            if (line.Contains($"VSOCKIO-LISTENING {GuestPort}", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
            if (line.StartsWith("H2G-RECEIVED ", StringComparison.Ordinal))
            {
                received.TrySetResult(line.Split(' ')[1]);
            }
        };
        vm.Start();
        await listening.Task.WaitAsync(RunTimeout);
        await using var stream = await vsock.ConnectAsync(GuestPort).WaitAsync(RunTimeout);

        await vm.PauseAsync();
        var atPause = vsock.Counters;
        var send = Task.Run(async () =>
        {
            await stream.WriteAsync(data);
            await stream.DisposeAsync();
        });
        await Task.Delay(PausedFor);
        var beforeResume = vsock.Counters;
        await vm.ResumeAsync();
        await send.WaitAsync(RunTimeout);
        var hash = await received.Task.WaitAsync(RunTimeout);
        var exit = await vm.WaitForExitAsync().WaitAsync(RunTimeout);

        Assert.Multiple(() =>
        {
            Assert.That(beforeResume, Is.EqualTo(atPause), "no pass, chain or interrupt while paused");
            Assert.That(vsock.Counters.Chains, Is.GreaterThan(atPause.Chains), "the waiting data went out after resume");
            Assert.That(hash, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(data))), "the guest got every byte");
            Assert.That(exit.Reason, Is.EqualTo(VmExitReason.PowerOff), exit.Detail);
        });
    }
}
