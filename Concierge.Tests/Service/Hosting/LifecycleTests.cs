using Concierge.Tests.Service.Api;
using NUnit.Framework;

namespace Concierge.Tests.Service.Hosting;

/// <summary>The service process itself: a second instance, a crash and restart, SIGTERM.</summary>
[TestFixture]
[Category("Bus")]
public sealed class LifecycleTests
{
    [Test]
    public async Task ASecondInstanceFailsClearlyWhileTheNameIsTaken()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        await using var second = await ConciergeProcess.StartAsync(service.Bus.Address,
            Path.Combine(service.Root, "second-state"), service.ImageDirectory, waitForName: false);

        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(second.Output, Does.Contain("already owned"));
            Assert.That(service.Service!.HasExited, Is.False);
        });
    }

    [Test]
    public async Task KillNineMidOperationKeepsRegistryAndDiskImages()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        var address = service.Bus.Address;
        Assert.That((await ApiClient.ManagerAsync(address, null, "CreateDiskImage", "st", "keep", "1048576")).ExitCode, Is.Zero);
        Assert.That((await ApiClient.ManagerAsync(address, null, "StartVm", "sa{sv}", "keep", "0")).ExitCode, Is.Zero);
        // Calls in flight while the process dies.
        var inFlight = Enumerable.Range(0, 8).Select(i =>
            ApiClient.ManagerAsync(address, null, "CreateDiskImage", "st", $"late{i}", "1048576")).ToList();
        service.Service!.Kill();
        await Task.WhenAll(inFlight);

        await service.RestartAsync();
        var images = await ApiClient.ManagerAsync(address, null, "ListDiskImages");
        var vms = await ApiClient.ManagerAsync(address, null, "ListVms");

        Assert.Multiple(() =>
        {
            Assert.That(images.StandardOutput, Does.Contain("\"keep\"").And.Contain(" 1048576"), images.Output);
            Assert.That(vms.StandardOutput, Does.Contain("\"keep\""), vms.Output);
            Assert.That(Directory.EnumerateFiles(service.StateDirectory, "*.tmp"), Is.Empty);
            Assert.That(Directory.EnumerateFiles(service.StateDirectory, "*.partial", SearchOption.AllDirectories), Is.Empty);
        });
    }

    [TestCase("{\"version\": 1, \"vms\": null}", "moved to")]
    [TestCase("""{"version": 1, "vms": [{"owner": 0, "name": "twin", "definition": {"kernelPath": "/k", "kernelParams": []}}, {"owner": 0, "name": "twin", "definition": {"kernelPath": "/k", "kernelParams": []}}]}""",
        "listed more than once")]
    public async Task ADamagedRegistryIsSetAsideAndTheServiceStarts(string state, string logged)
    {
        await using var service = await ServiceUnderTest.StartAsync();
        service.Service!.Kill();
        await File.WriteAllTextAsync(Path.Combine(service.StateDirectory, "state.json"), state);

        var restarted = await service.RestartAsync();
        var vms = await ApiClient.ManagerAsync(service.Bus.Address, null, "ListVms");

        Assert.Multiple(() =>
        {
            Assert.That(vms.ExitCode, Is.Zero, restarted.Output);
            Assert.That(restarted.Output, Does.Contain(logged));
        });
    }

    [Test]
    public async Task SigtermExitsCleanlyAndReleasesTheName()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        await service.Service!.TerminateAsync();

        var exitCode = await service.Service.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, service.Service.Output);
            Assert.That(service.Service.Output, Does.Contain("Service stopped"));
        });
    }
}
