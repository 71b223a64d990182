using Concierge.Tests.Service.Api;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Deployment;

/// <summary>
/// The real service as the unit runs it: as user concierge, under the unit's system call filter.
/// Callers are members of group concierge. Two real uids: what the service writes (registry, disk
/// images, console logs) must be closed to a member of that group, who may call the service but
/// not read its files. (The filter's KVM side is checked by running the Kvm tests under it.)
/// </summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class ServiceAsTheUnitRunsItTests
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = Owner | UnixFileMode.UserExecute;
    private ServiceUnderTest _service = null!;
    private string _disk = "";
    private string _log = "";

    [OneTimeSetUp]
    public async Task StartServiceAsTheServiceUser()
    {
        await ConciergeUsers.EnsureAsync();
        _service = await ServiceUnderTest.StartAsync(user: ConciergeUsers.Service, syscallFilter: true);
        var created = await ApiClient.ManagerAsync(_service.Bus.Address, null, "CreateDiskImage", "st", "private", "1048576");
        Assert.That(created.ExitCode, Is.Zero, created.Output);
        // The image directory's "vmlinuz" is no kernel: the VM fails at once, after its console log was opened.
        var started = await ApiClient.ManagerAsync(_service.Bus.Address, null, "StartVm", "sa{sv}", "private", "0");
        Assert.That(started.ExitCode, Is.Zero, started.Output);
        var state = _service.StateDirectory;
        _disk = Directory.EnumerateFiles(Path.Combine(state, "users", "0", "disks")).Single();
        _log = await WaitForLogAsync(Path.Combine(state, "users", "0", "logs"));
    }

    [OneTimeTearDown]
    public async Task StopService() => await _service.DisposeAsync();

    [Test]
    public async Task TheServiceWorksUnderTheFilter()
    {
        var address = _service.Bus.Address;
        var listed = await ApiClient.ManagerAsync(address, null, "ListDiskImages");
        var vm = await ApiClient.ManagerAsync(address, null, "GetVm", "s", "private");
        var created = await ApiClient.ManagerAsync(address, null, "CreateDiskImage", "st", "passing", "1048576");
        var destroyed = await ApiClient.ManagerAsync(address, null, "DestroyDiskImage", "s", "passing");

        Assert.Multiple(() =>
        {
            Assert.That(_service.Service!.Output, Does.Contain("run-with-syscall-filter: ").And.Contain("calls allowed"), "the filter is on");
            Assert.That(listed.StandardOutput, Does.Contain("\"private\""), listed.Output);
            Assert.That(vm.ExitCode, Is.Zero, vm.Output);
            Assert.That(created.StandardOutput.Trim(), Does.EndWith("true"), created.Output);
            Assert.That(destroyed.StandardOutput.Trim(), Is.EqualTo("b true"), destroyed.Output);
            Assert.That(_service.Service.Output, Does.Not.Contain("Operation not permitted"));
        });
    }

    [Test]
    public void EveryFileIsTheServiceUsersAlone()
    {
        var state = _service.StateDirectory;
        string[] directories = [state, Path.Combine(state, "users"), Path.Combine(state, "users", "0"), Path.GetDirectoryName(_disk)!, Path.GetDirectoryName(_log)!];
        string[] files = [Path.Combine(state, "state.json"), _disk, _log];

        Assert.Multiple(() =>
        {
            foreach (var directory in directories)
            {
                Assert.That(File.GetUnixFileMode(directory), Is.EqualTo(OwnerDirectory), directory);
            }
            foreach (var file in files)
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(Owner), file);
            }
        });
    }

    [Test]
    public async Task AMemberOfTheCallersGroupCanNeitherListNorReadThem()
    {
        var state = _service.StateDirectory;
        var list = await AsUser.RunAsync(ConciergeUsers.GroupMember, "ls", [state, Path.GetDirectoryName(_disk)!, Path.GetDirectoryName(_log)!]);
        var read = await AsUser.RunAsync(ConciergeUsers.GroupMember, "cat", [Path.Combine(state, "state.json"), _log]);
        var owner = await Command.RunCheckedAsync("stat", "-c", "%U", _disk);

        Assert.Multiple(() =>
        {
            Assert.That(owner.StandardOutput.Trim(), Is.EqualTo(ConciergeUsers.Service), "the service made the files as its own user");
            Assert.That(list.ExitCode, Is.Not.Zero, list.Output);
            Assert.That(list.StandardError, Does.Contain("Permission denied"));
            Assert.That(read.ExitCode, Is.Not.Zero, read.Output);
            Assert.That(read.StandardError, Does.Contain("Permission denied"));
        });
    }

    private static async Task<string> WaitForLogAsync(string directory)
    {
        await Eventually.HoldsAsync(() => Directory.Exists(directory) && Directory.EnumerateFiles(directory).Any(),
            TimeSpan.FromSeconds(60), () => $"no console log appeared in {directory}");
        return Directory.EnumerateFiles(directory).First();
    }
}
