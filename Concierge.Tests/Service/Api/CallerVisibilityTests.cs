using System.Diagnostics;
using System.Text;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>
/// What one user learns of another's VMs through the reads and signals of the bus, with two real
/// unprivileged members of group concierge and a non-member, on a bus configured like the system
/// bus plus our policy file, the service running as its own user. For a member, another member's
/// VM is answered exactly as a VM that does not exist; signals about it never reach them.
/// </summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class CallerVisibilityTests
{
    private const string Owner = ConciergeUsers.GroupMember;
    private const string Other = ConciergeUsers.SecondMember;
    private const string Outsider = "nobody";
    private ServiceUnderTest _service = null!;
    private string _ownersVm = "";
    private string _absentVm = "";

    private string Address => _service.Bus.Address;

    [OneTimeSetUp]
    public async Task StartServiceWithAMembersVm()
    {
        await ConciergeUsers.EnsureAsync();
        _service = await ServiceUnderTest.StartAsync(user: ConciergeUsers.Service, realPolicy: true);
        var started = await ApiClient.ManagerAsync(Address, Owner, "StartVm", "sa{sv}", "private", "0");
        Assert.That(started.ExitCode, Is.Zero, started.Output);
        _ownersVm = started.StandardOutput.Trim()[3..^1];
        // The same shape of path, for a VM nobody has.
        _absentVm = _ownersVm.Replace("/vm/private/", "/vm/absent/", StringComparison.Ordinal);
    }

    [OneTimeTearDown]
    public async Task StopService() => await _service.DisposeAsync();

    [TestCase("org.freedesktop.DBus.Properties.Get", "org.chromium.VmConcierge.Vm", "State")]
    [TestCase("org.freedesktop.DBus.Properties.Get", "org.chromium.VmConcierge.Vm", "Owner")]
    [TestCase("org.freedesktop.DBus.Properties.GetAll", "org.chromium.VmConcierge.Vm")]
    [TestCase("org.freedesktop.DBus.Properties.Set", "org.chromium.VmConcierge.Vm", "Name", "<'x'>")]
    [TestCase("org.freedesktop.DBus.Introspectable.Introspect")]
    [TestCase("org.chromium.VmConcierge.Vm.Stop")]
    [TestCase("org.chromium.VmConcierge.Vm.ReadConsole", "100")]
    public async Task AnotherMembersVmAnswersAsNoVm(string method, params string[] arguments)
    {
        var owners = await GdbusCallAsync(Other, _ownersVm, method, arguments);
        var absent = await GdbusCallAsync(Other, _absentVm, method, arguments);

        Assert.Multiple(() =>
        {
            Assert.That(owners.ExitCode, Is.Not.Zero, owners.Output);
            Assert.That(owners.StandardError, Does.Contain("org.freedesktop.DBus.Error.UnknownObject"), owners.Output);
            Assert.That(owners.StandardError.Replace(_ownersVm, "PATH", StringComparison.Ordinal),
                Is.EqualTo(absent.StandardError.Replace(_absentVm, "PATH", StringComparison.Ordinal)), "the same answer as for no VM");
        });
    }

    [Test]
    public async Task TheOwnerAndRootReadTheVmsProperties()
    {
        var owner = await GdbusCallAsync(Owner, _ownersVm, "org.freedesktop.DBus.Properties.Get", "org.chromium.VmConcierge.Vm", "Name");
        var root = await GdbusCallAsync("root", _ownersVm, "org.freedesktop.DBus.Properties.GetAll", "org.chromium.VmConcierge.Vm");

        Assert.Multiple(() =>
        {
            Assert.That(owner.StandardOutput.Trim(), Is.EqualTo("(<'private'>,)"), owner.Output);
            Assert.That(root.StandardOutput, Does.Contain("'Name': <'private'>"), root.Output);
        });
    }

    [Test]
    public async Task GetManagedObjectsListsOnlyTheCallersVms()
    {
        var owner = await GdbusCallAsync(Owner, ApiClient.Root, "org.freedesktop.DBus.ObjectManager.GetManagedObjects");
        var other = await GdbusCallAsync(Other, ApiClient.Root, "org.freedesktop.DBus.ObjectManager.GetManagedObjects");
        var root = await GdbusCallAsync("root", ApiClient.Root, "org.freedesktop.DBus.ObjectManager.GetManagedObjects");

        Assert.Multiple(() =>
        {
            Assert.That(owner.StandardOutput, Does.Contain(_ownersVm), owner.Output);
            Assert.That(other.StandardOutput.Trim(), Is.EqualTo("(@a{oa{sa{sv}}} {},)"), other.Output);
            Assert.That(root.StandardOutput, Does.Contain(_ownersVm), root.Output);
        });
    }

    [Test]
    public async Task IntrospectionShowsOnlyTheCallersBranches()
    {
        var owner = await GdbusCallAsync(Owner, ApiClient.Root + "/vm", "org.freedesktop.DBus.Introspectable.Introspect");
        var other = await GdbusCallAsync(Other, ApiClient.Root, "org.freedesktop.DBus.Introspectable.Introspect");
        var otherBranch = await GdbusCallAsync(Other, ApiClient.Root + "/vm", "org.freedesktop.DBus.Introspectable.Introspect");

        Assert.Multiple(() =>
        {
            Assert.That(owner.StandardOutput, Does.Contain("<node name=\\\"private\\\"/>").Or.Contain("<node name=\"private\"/>"), owner.Output);
            Assert.That(other.StandardOutput, Does.Contain("org.chromium.VmConcierge.Manager").And.Not.Contain("node name=\\\"vm\\\""), other.Output);
            Assert.That(otherBranch.StandardError, Does.Contain("org.freedesktop.DBus.Error.UnknownObject"), otherBranch.Output);
        });
    }

    /// <summary>
    /// Signals about a VM (InterfacesAdded/Removed, PropertiesChanged, the Chrome OS lifecycle
    /// signals) reach its owner and root, and neither another member nor a non-member, who listen
    /// with gdbus monitor the same way.
    /// </summary>
    [Test]
    public async Task SignalsAboutAVmReachOnlyItsOwnerAndRoot()
    {
        using var owner = await Monitor.StartAsync(Owner, Address);
        using var root = await Monitor.StartAsync("root", Address);
        using var other = await Monitor.StartAsync(Other, Address);
        using var outsider = await Monitor.StartAsync(Outsider, Address);
        // The service learns a new connection's uid from the bus asynchronously (NameOwnerChanged,
        // then GetConnectionUnixUser): give it that moment before the first signal.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var started = await ApiClient.ManagerAsync(Address, Owner, "StartVm", "sa{sv}", "watched", "0");
        Assert.That(started.ExitCode, Is.Zero, started.Output);
        await Eventually.HoldsAsync(() => owner.Text.Contains("VmStoppedSignal", StringComparison.Ordinal) && root.Text.Contains("VmStoppedSignal", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), () => $"owner:\n{owner.Text}\nroot:\n{root.Text}\nservice:\n{_service.Service!.Output}");
        // Whatever went to the others would have been sent before the owner's last signal.
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            foreach (var expected in new[] { "InterfacesAdded", "PropertiesChanged", "VmStartingUpSignal", "VmStoppedSignal", "/vm/watched/" })
            {
                Assert.That(owner.Text, Does.Contain(expected), "owner");
                Assert.That(root.Text, Does.Contain(expected), "root");
            }
            Assert.That(other.Text, Does.Not.Contain("VmConcierge/vm/").And.Not.Contain("Signal"), "another member");
            Assert.That(outsider.Text, Does.Not.Contain("VmConcierge/vm/").And.Not.Contain("Signal"), "a non-member");
        });
    }

    private async Task<CommandResult> GdbusCallAsync(string user, string path, string method, params string[] arguments) =>
        await AsUser.RunAsync(user, "gdbus", ["call", "--address", Address, "--dest", ConciergeProcess.BusName, "--object-path", path, "--method", method, .. arguments],
            TimeSpan.FromSeconds(60));

    /// <summary><c>gdbus monitor</c> of the service's name as a user, its output collected until disposed.</summary>
    private sealed class Monitor : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _text = new();

        private Monitor(Process process)
        {
            _process = process;
        }

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public static async Task<Monitor> StartAsync(string user, string address)
        {
            var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in (string[])[.. await AsUser.SetprivAsync(user), "gdbus", "monitor", "--address", address, "--dest", ConciergeProcess.BusName])
            {
                start.ArgumentList.Add(argument);
            }
            var monitor = new Monitor(Process.Start(start)!);
            monitor._process.OutputDataReceived += (_, e) => monitor.Append(e.Data);
            monitor._process.ErrorDataReceived += (_, e) => monitor.Append(e.Data);
            monitor._process.BeginOutputReadLine();
            monitor._process.BeginErrorReadLine();
            // gdbus monitor says who owns the name once its match rules are in place.
            await Eventually.HoldsAsync(() => monitor.Text.Contains("is owned by", StringComparison.Ordinal), TimeSpan.FromSeconds(30), () => $"{user}'s monitor: {monitor.Text}");
            return monitor;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_text)
                {
                    _text.AppendLine(line);
                }
            }
        }
    }
}
