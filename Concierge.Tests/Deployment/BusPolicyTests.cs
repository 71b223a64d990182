using System.Diagnostics;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Deployment;

/// <summary>
/// Our bus policy file, loaded for real by a private dbus-daemon configured like the system bus,
/// exercised by real peers (dbus-test-tool owns the name, dbus-send calls it) running under
/// different uids with setpriv.
/// </summary>
[TestFixture, Category("Bus"), NonParallelizable]
public sealed class BusPolicyTests
{
    private const string ServiceName = "org.chromium.VmConcierge";
    private const string GroupMember = ConciergeUsers.GroupMember;
    private PrivateBus? _bus;
    private Process? _owner;

    private string Address => _bus!.Address;

    [OneTimeSetUp]
    public async Task StartSystemLikeBus()
    {
        // The policy names user and group "concierge": create them as the package's sysusers file
        // does, plus one member of the group to call as.
        await ConciergeUsers.EnsureAsync();

        _bus = await PrivateBus.StartAsync(
            $"<include>{Path.Combine(RepoPaths.Root, "dbus-policy", "org.chromium.VmConcierge.conf")}</include>",
            PrivateBus.BusPolicy.SystemDefaults);
        _owner = await StartAsAsync("concierge", "dbus-test-tool", "echo", "--name=" + ServiceName);
        await WaitForOwnerAsync();
    }

    [OneTimeTearDown]
    public async Task StopBus()
    {
        Stop(_owner);
        _owner?.Dispose();
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
    }

    private static void Stop(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    [Test]
    public async Task RootMayCall() =>
        Assert.That((await CallAs("root")).ExitCode, Is.Zero);

    [Test]
    public async Task ConciergeGroupMemberMayCall()
    {
        var result = await CallAs(GroupMember);
        Assert.That(result.ExitCode, Is.Zero, result.Output);
    }

    [Test]
    public async Task OtherUsersAreDenied()
    {
        var result = await CallAs("nobody");
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.StandardError, Does.Contain("org.freedesktop.DBus.Error.AccessDenied"));
    }

    [TestCase("root")]
    [TestCase(GroupMember)]
    [TestCase("nobody")]
    public async Task OnlyTheServiceUserMayOwnTheName(string user)
    {
        // The service user holds the name, so an allowed request would get EXISTS (3);
        // the policy must refuse before that.
        var result = await RequestNameAs(user);
        Assert.That(result.StandardError, Does.Contain("org.freedesktop.DBus.Error.AccessDenied"), result.Output);
    }

    [Test]
    public async Task TheServiceUserMayOwnTheName()
    {
        var result = await RequestNameAs("concierge");
        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.StandardOutput, Does.Contain("uint32 3"), "a second owner is told the name EXISTS");
    }

    // RequestName with DO_NOT_QUEUE (4).
    private Task<CommandResult> RequestNameAs(string user) =>
        RunAs(user, "dbus-send", "--bus=" + Address, "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName", "string:" + ServiceName, "uint32:4");

    private Task<CommandResult> CallAs(string user) =>
        RunAs(user, "dbus-send", "--bus=" + Address, "--print-reply", "--dest=" + ServiceName,
            "/org/chromium/VmConcierge", "org.freedesktop.DBus.Peer.Ping");

    private async Task<CommandResult> RunAs(string user, params string[] command) =>
        await Command.RunAsync("setpriv", [.. await SetprivArgumentsAsync(user), .. command], TimeSpan.FromSeconds(30));

    private async Task<Process> StartAsAsync(string user, params string[] command) =>
        Process.Start(new ProcessStartInfo("setpriv", [.. await SetprivArgumentsAsync(user), .. command]) { RedirectStandardError = true })!;

    // setpriv switches uid, primary gid and the user's groups, then env hands the bus address on.
    private async Task<string[]> SetprivArgumentsAsync(string user) =>
        [.. await AsUser.SetprivAsync(user), "env", "DBUS_SESSION_BUS_ADDRESS=" + Address];

    private async Task WaitForOwnerAsync()
    {
        CommandResult? result = null;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            result = await Command.RunAsync("dbus-send", ["--bus=" + Address, "--print-reply", "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:" + ServiceName]);
            if (result.StandardOutput.Contains("boolean true", StringComparison.Ordinal))
            {
                return;
            }
            if (_owner!.HasExited)
            {
                Assert.Fail("the service user could not own the name: " + await _owner.StandardError.ReadToEndAsync());
            }
            await Task.Delay(50);
        }
        Assert.Fail("the service user's name owner never appeared on the bus: " + result?.Output);
    }
}
