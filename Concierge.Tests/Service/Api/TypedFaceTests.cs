using System.Xml.Linq;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>The typed face driven by busctl and gdbus against the real service on a private bus.</summary>
[TestFixture]
[Category("Bus")]
public sealed class TypedFaceTests
{
    private ServiceUnderTest _service = null!;

    private string Address => _service.Bus.Address;

    [OneTimeSetUp]
    public async Task StartService() => _service = await ServiceUnderTest.StartAsync();

    [OneTimeTearDown]
    public async Task StopService() => await _service.DisposeAsync();

    [TestCase("/org/chromium/VmConcierge", "org.chromium.VmConcierge")]
    [TestCase("/org/chromium/VmConcierge", "org.chromium.VmConcierge.Manager")]
    [TestCase(null, "org.chromium.VmConcierge.Vm")]
    public async Task ServedInterfaceMatchesTheCheckedInContract(string? path, string interfaceName)
    {
        path ??= await VmPathAsync("contract");
        var served = await Command.RunCheckedAsync("gdbus", "introspect", "--address", Address, "--dest", ConciergeProcess.BusName,
            "--object-path", path, "--xml");
        var contract = XDocument.Load(Path.Combine(RepoPaths.Root, "Concierge.Service/Api/Interfaces", interfaceName + ".xml"));

        Assert.That(Canonical(XDocument.Parse(served.StandardOutput), interfaceName), Is.EqualTo(Canonical(contract, interfaceName)));
    }

    [Test]
    public async Task RootObjectIsAnObjectManagerListingEveryVm()
    {
        var path = await VmPathAsync("managed");
        var result = await Command.RunCheckedAsync("gdbus", "call", "--address", Address, "--dest", ConciergeProcess.BusName,
            "--object-path", ApiClient.Root, "--method", "org.freedesktop.DBus.ObjectManager.GetManagedObjects");

        Assert.That(result.StandardOutput, Does.Contain($"'{path}': {{'org.chromium.VmConcierge.Vm'").And.Contain("'Name': <'managed'>"));
    }

    [Test]
    public async Task PropertiesOfAVmReadThroughBusctl()
    {
        var path = await VmPathAsync("props");
        var name = await ApiClient.BusctlAsync(Address, null, "get-property", ConciergeProcess.BusName, path, ApiClient.Vm, "Name");
        var owner = await ApiClient.BusctlAsync(Address, null, "get-property", ConciergeProcess.BusName, path, ApiClient.Vm, "Owner");
        var state = await WaitForStateAsync(path, "failed");

        Assert.Multiple(() =>
        {
            Assert.That(name.StandardOutput.Trim(), Is.EqualTo("s \"props\""));
            Assert.That(owner.StandardOutput.Trim(), Is.EqualTo("u 0"));
            Assert.That(state, Is.EqualTo("s \"failed\""));
        });
        var reason = await ApiClient.BusctlAsync(Address, null, "get-property", ConciergeProcess.BusName, path, ApiClient.Vm, "FailureReason");
        Assert.That(reason.StandardOutput, Does.Contain("could not build the VM").Or.Contain("failed to start"));
    }

    [Test]
    public async Task DiskImagesAreCreatedListedAndDestroyed()
    {
        var created = await ApiClient.ManagerAsync(Address, null, "CreateDiskImage", "st", "disk1", "1048576");
        var again = await ApiClient.ManagerAsync(Address, null, "CreateDiskImage", "st", "disk1", "2097152");
        var listed = await ApiClient.ManagerAsync(Address, null, "ListDiskImages");
        var destroyed = await ApiClient.ManagerAsync(Address, null, "DestroyDiskImage", "s", "disk1");
        var destroyedAgain = await ApiClient.ManagerAsync(Address, null, "DestroyDiskImage", "s", "disk1");

        Assert.Multiple(() =>
        {
            Assert.That(created.StandardOutput, Does.StartWith("sb \"").And.EndWith("true\n"), created.Output);
            Assert.That(again.StandardOutput, Does.EndWith("false\n"), again.Output);
            Assert.That(listed.StandardOutput, Does.Contain("\"disk1\"").And.Contain(" 1048576"), listed.Output);
            Assert.That(destroyed.StandardOutput.Trim(), Is.EqualTo("b true"));
            Assert.That(destroyedAgain.StandardOutput.Trim(), Is.EqualTo("b false"));
        });
    }

    [TestCase("CreateDiskImage", "InvalidArgs", "'bad/name'", "uint64 1048576")]
    [TestCase("CreateDiskImage", "InvalidArgs", "'huge'", "uint64 18446744073709551615")]
    [TestCase("StartVm", "InvalidArgs", "'..'", "@a{sv} {}")]
    [TestCase("StartVm", "InvalidArgs", "'opts'", "{'Bogus': <uint32 1>}")]
    [TestCase("StartVm", "InvalidArgs", "'opts'", "{'Vcpus': <'1'>}")]
    [TestCase("StartVm", "InvalidArgs", "'opts'", "{'MemoryMiB': <uint64 1>}")]
    [TestCase("StartVm", "InvalidArgs", "'opts'", "{'RestartPolicy': <'sometimes'>}")]
    [TestCase("StartVm", "InvalidArgs", "'opts'", "{'Kernel': <'relative/vmlinuz'>}")]
    [TestCase("StartVm", "InvalidArgs", "'opts'", "{'Kernel': <'/nonexistent/vmlinuz'>}")]
    [TestCase("GetVm", "org.chromium.VmConcierge.Error.NoSuchVm", "'nothing-here'")]
    [TestCase("StopVm", "org.chromium.VmConcierge.Error.NoSuchVm", "'nothing-here'")]
    public async Task RefusalsAreTypedDBusErrors(string member, string error, params string[] arguments)
    {
        var result = await Command.RunAsync("gdbus", ["call", "--address", Address, "--dest", ConciergeProcess.BusName,
            "--object-path", ApiClient.Root, "--method", $"{ApiClient.Manager}.{member}", .. arguments], TimeSpan.FromSeconds(120));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StandardError, Does.Contain("GDBus.Error:" + (error.Contains('.', StringComparison.Ordinal) ? error : "org.freedesktop.DBus.Error." + error)), result.Output);
        });
        Assert.That(_service.Service!.HasExited, Is.False);
    }

    [Test]
    public async Task AWrongSignatureIsInvalidArgsAndTheServiceGoesOn()
    {
        var result = await ApiClient.ManagerAsync(Address, null, "StartVm", "s", "wrong-signature");
        var after = await ApiClient.ManagerAsync(Address, null, "ListVms");

        Assert.Multiple(() =>
        {
            Assert.That(result.StandardError, Does.Contain("takes 'sa{sv}'"), result.Output);
            Assert.That(after.ExitCode, Is.Zero, after.Output);
        });
    }

    [Test]
    public async Task SuspendAndExecOfAStoppedVmAreInvalidState()
    {
        var path = await VmPathAsync("idle");
        await WaitForStateAsync(path, "failed");
        var suspend = await ApiClient.BusctlAsync(Address, null, "call", ConciergeProcess.BusName, path, ApiClient.Vm, "Suspend");
        var exec = await ApiClient.BusctlAsync(Address, null, "call", ConciergeProcess.BusName, path, ApiClient.Vm, "Exec", "as", "1", "true");

        Assert.Multiple(() =>
        {
            Assert.That(suspend.Output, Does.Contain("only a running VM can be suspended"));
            Assert.That(exec.Output, Does.Contain("Exec needs a running guest"));
        });
    }

    [Test]
    public async Task ListVmsNamesStatesAndPaths()
    {
        var path = await VmPathAsync("listed");
        var list = await ApiClient.ManagerAsync(Address, null, "ListVms");

        Assert.That(list.StandardOutput, Does.Contain($"\"listed\" \"").And.Contain($"\"{path}\""));
    }

    /// <summary>libdbus's dbus-send, the third peer library: a call and a property read of a VM.</summary>
    [Test]
    public async Task DbusSendCallsTheManagerAndReadsAVmProperty()
    {
        var path = await VmPathAsync("sent");
        var get = await Command.RunCheckedAsync("dbus-send", $"--bus={Address}", "--print-reply", $"--dest={ConciergeProcess.BusName}",
            ApiClient.Root, $"{ApiClient.Manager}.GetVm", "string:sent");
        var name = await Command.RunCheckedAsync("dbus-send", $"--bus={Address}", "--print-reply", $"--dest={ConciergeProcess.BusName}",
            path, "org.freedesktop.DBus.Properties.Get", $"string:{ApiClient.Vm}", "string:Name");

        Assert.Multiple(() =>
        {
            Assert.That(get.StandardOutput, Does.Contain($"object path \"{path}\""), get.Output);
            Assert.That(name.StandardOutput, Does.Contain("variant       string \"sent\""), name.Output);
        });
    }

    /// <summary>
    /// Every method each interface declares reaches its own handler: the reply is never
    /// UnknownMethod and, when it succeeds, has the declared out signature. A declared member
    /// without a case in the interface's switch answers UnknownMethod and fails here, rather than
    /// running another method's work.
    /// </summary>
    [Test]
    public async Task EveryDeclaredMethodReachesItsOwnHandler()
    {
        var vm = await VmPathAsync("declared");
        await WaitForStateAsync(vm, "failed");
        string[] noRequest = ["ay", "0"];
        var calls = new (string Path, Concierge.Service.DBus.Objects.InterfaceContract Interface, Dictionary<string, string[]> Arguments)[]
        {
            (ApiClient.Root, Concierge.Service.DBus.ManagerInterface.Declared, new()
            {
                ["StartVm"] = ["sa{sv}", "declared", "0"],
                ["StopVm"] = ["s", "no-such-vm"],
                ["StopAllVms"] = [],
                ["ListVms"] = [],
                ["GetVm"] = ["s", "declared"],
                ["CreateDiskImage"] = ["st", "declared-disk", "1048576"],
                ["DestroyDiskImage"] = ["s", "declared-disk"],
                ["ListDiskImages"] = [],
            }),
            (vm, Concierge.Service.DBus.VmInterface.Declared, new()
            {
                ["Stop"] = [],
                ["Kill"] = [],
                ["Suspend"] = [],
                ["Resume"] = [],
                ["ReadConsole"] = ["u", "64"],
                ["Exec"] = ["as", "1", "true"],
            }),
            (ApiClient.Root, Concierge.Service.DBus.ChromeOsInterface.Declared, new()
            {
                ["StartVm"] = noRequest,
                ["StopVm"] = noRequest,
                ["GetVmInfo"] = noRequest,
                ["ListVms"] = noRequest,
                ["SuspendVm"] = noRequest,
                ["ResumeVm"] = noRequest,
                ["CreateDiskImage"] = noRequest,
                ["DestroyDiskImage"] = noRequest,
                ["ListVmDisks"] = noRequest,
                ["GetVmLogs"] = noRequest,
                ["StartVmWithFds"] = ["ayah", "0", "0"],
                ["StopAllVms"] = [],
            }),
        };
        foreach (var (path, declared, arguments) in calls)
        {
            Assert.That(arguments.Keys, Is.EquivalentTo(declared.Methods.Select(m => m.Name)), $"{declared.Name}: a test call for each declared method");
            foreach (var method in declared.Methods)
            {
                var reply = await ApiClient.BusctlAsync(Address, null, ["call", ConciergeProcess.BusName, path, declared.Name, method.Name, .. arguments[method.Name]]);
                Assert.That(reply.Output, Does.Not.Contain("UnknownMethod").And.Not.Contain("not implemented"), $"{declared.Name}.{method.Name}");
                if (reply.ExitCode == 0)
                {
                    Assert.That(reply.StandardOutput.Split(' ', 2)[0].Trim(), Is.EqualTo(method.OutSignature), $"{declared.Name}.{method.Name}: {reply.Output}");
                }
            }
        }
    }

    private async Task<string> VmPathAsync(string name)
    {
        var started = await ApiClient.ManagerAsync(Address, null, "StartVm", "sa{sv}", name, "0");
        Assert.That(started.ExitCode, Is.Zero, started.Output);
        return started.StandardOutput.Trim()[3..^1];
    }

    private async Task<string> WaitForStateAsync(string path, string state)
    {
        var value = "";
        for (var attempt = 0; attempt < 300; attempt++)
        {
            value = (await ApiClient.BusctlAsync(Address, null, "get-property", ConciergeProcess.BusName, path, ApiClient.Vm, "State")).StandardOutput.Trim();
            if (value == $"s \"{state}\"")
            {
                break;
            }
            await Task.Delay(100);
        }
        return value;
    }

    private static string Canonical(XDocument document, string interfaceName)
    {
        var element = document.Descendants("interface").Single(i => (string?)i.Attribute("name") == interfaceName);
        var members = element.Elements().Select(member => string.Join(" ",
            new[] { member.Name.LocalName, (string?)member.Attribute("name"), (string?)member.Attribute("type"), (string?)member.Attribute("access") }
                .Concat(member.Elements("arg").Select(a => $"{(string?)a.Attribute("direction") ?? "out"}:{(string?)a.Attribute("type")}"))
                .Concat(member.Elements("annotation").Select(a => $"{(string?)a.Attribute("name")}={(string?)a.Attribute("value")}"))));
        return string.Join("\n", members);
    }
}
