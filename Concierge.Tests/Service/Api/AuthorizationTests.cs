using Concierge.Service.Protocol;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>A second uid (nobody, through setpriv) against root's VMs on the real service.</summary>
[TestFixture]
[Category("Bus")]
public sealed class AuthorizationTests
{
    private const string Other = "nobody";
    private ServiceUnderTest _service = null!;
    private string _rootVm = "";

    private string Address => _service.Bus.Address;

    [OneTimeSetUp]
    public async Task StartServiceWithARootVm()
    {
        _service = await ServiceUnderTest.StartAsync();
        var started = await ApiClient.ManagerAsync(Address, null, "StartVm", "sa{sv}", "private", "0");
        Assert.That(started.ExitCode, Is.Zero, started.Output);
        _rootVm = started.StandardOutput.Trim()[3..^1];
    }

    [OneTimeTearDown]
    public async Task StopService() => await _service.DisposeAsync();

    [Test]
    public async Task AnotherUserListsOnlyItsOwnVms()
    {
        var list = await ApiClient.ManagerAsync(Address, Other, "ListVms");

        Assert.That(list.StandardOutput.Trim(), Is.EqualTo("a(sso) 0"), list.Output);
    }

    [Test]
    public async Task AnotherUserCannotFindOrStopRootsVm()
    {
        var get = await ApiClient.ManagerAsync(Address, Other, "GetVm", "s", "private");
        var stop = await ApiClient.BusctlAsync(Address, Other, "call", ConciergeProcess.BusName, _rootVm, ApiClient.Vm, "Stop");
        var kill = await ApiClient.BusctlAsync(Address, Other, "call", ConciergeProcess.BusName, _rootVm, ApiClient.Vm, "Kill");
        var console = await ApiClient.BusctlAsync(Address, Other, "call", ConciergeProcess.BusName, _rootVm, ApiClient.Vm, "ReadConsole", "u", "100");

        Assert.Multiple(() =>
        {
            Assert.That(get.Output, Does.Contain("no VM named 'private'"));
            // Root's VM object does not exist for this user (CallerVisibilityTests has the rest).
            Assert.That(stop.Output, Does.Contain($"no object at {_rootVm}"));
            Assert.That(kill.Output, Does.Contain($"no object at {_rootVm}"));
            Assert.That(console.Output, Does.Contain($"no object at {_rootVm}"));
        });
    }

    [Test]
    public async Task AnotherUserCannotActForRootOnTheChromeOsFace()
    {
        var stop = await ApiClient.BusctlAsync(Address, Other, ["call", ConciergeProcess.BusName, ApiClient.Root, ApiClient.ChromeOs, "StopVm",
            .. ApiClient.BusctlBytes(new StopVmRequest { Name = "private", OwnerId = "0" })]);
        var list = await ApiClient.BusctlAsync(Address, Other, ["call", ConciergeProcess.BusName, ApiClient.Root, ApiClient.ChromeOs, "ListVms",
            .. ApiClient.BusctlBytes(new ListVmsRequest())]);

        var stopResponse = SuccessFailureResponse.Parser.ParseFrom(ApiClient.ParseBusctlBytes(stop.StandardOutput));
        var listResponse = ListVmsResponse.Parser.ParseFrom(ApiClient.ParseBusctlBytes(list.StandardOutput));
        Assert.Multiple(() =>
        {
            Assert.That(stopResponse.Success, Is.False);
            Assert.That(stopResponse.FailureReason, Does.Contain("only root may act for another user"));
            Assert.That(listResponse.Success, Is.True);
            Assert.That(listResponse.Vms, Is.Empty);
        });
    }

    [Test]
    public async Task AnotherUserMayNotNameImagesOutsideItsDirectories()
    {
        var start = await StartAsOtherAsync("sneaky", "/etc/shadow");

        Assert.That(start.StandardError, Does.Contain("org.freedesktop.DBus.Error.AccessDenied").And.Contain("pass it as a file descriptor"), start.Output);
    }

    [Test]
    public async Task AnotherUserMayNameAKernelThatRootLinkedIntoTheImageDirectory()
    {
        // As demo/run.sh does: the image directory links the built guest from elsewhere.
        var built = Directory.CreateDirectory(Path.Combine(_service.Root, "build")).FullName;
        await File.WriteAllTextAsync(Path.Combine(built, "bzImage"), "not a kernel either");
        var linked = Path.Combine(_service.ImageDirectory, "linked");
        File.CreateSymbolicLink(linked, Path.Combine(built, "bzImage"));

        var start = await StartAsOtherAsync("linked", linked);

        Assert.That(start.ExitCode, Is.Zero, start.Output);
        Assert.That(start.StandardOutput, Does.Contain("/org/chromium/VmConcierge/vm/linked/u"));
    }

    /// <summary>Typed StartVm as <see cref="Other"/> through gdbus, naming <paramref name="kernel"/>.</summary>
    private async Task<CommandResult> StartAsOtherAsync(string name, string kernel) =>
        await AsUser.RunAsync(Other, "gdbus", ["call", "--address", Address, "--dest", ConciergeProcess.BusName, "--object-path", ApiClient.Root,
            "--method", ApiClient.Manager + ".StartVm", $"'{name}'", $"{{'Kernel': <'{kernel}'>}}"], TimeSpan.FromSeconds(120));

    [Test]
    public async Task AnotherUsersVmsLiveUnderItsOwnUid()
    {
        var started = await ApiClient.ManagerAsync(Address, Other, "StartVm", "sa{sv}", "private", "0");
        var uid = (await Command.RunCheckedAsync("id", "-u", Other)).StandardOutput.Trim();
        var rootList = await ApiClient.ManagerAsync(Address, null, "ListVms");

        Assert.Multiple(() =>
        {
            Assert.That(started.StandardOutput.Trim(), Is.EqualTo($"o \"/org/chromium/VmConcierge/vm/private/u{uid}\""), started.Output);
            Assert.That(rootList.StandardOutput, Does.Contain(_rootVm).And.Contain($"/u{uid}\""), "root sees every VM");
        });
    }
}
