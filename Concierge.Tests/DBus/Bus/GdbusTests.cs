using Concierge.Tests.DBus.TestObjects;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>gdbus (GLib's GDBus) calls what Concierge.DBus serves, using GVariant text syntax.</summary>
[TestFixture]
[Category("Bus")]
public sealed class GdbusTests
{
    private ServedBus _served = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _served = await ServedBus.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _served.DisposeAsync();

    private async Task<string> CallAsync(string method, params string[] arguments) =>
        (await ToolRunner.RunAsync("gdbus", ["call", "--address", _served.Address, "--dest", ServedBus.BusName,
            "--object-path", ServedBus.ObjectPathText, "--method", $"{TestInterface.InterfaceName}.{method}", "--", .. arguments])).Trim();

    [Test]
    public async Task EveryBasicTypeRoundTrips()
    {
        var output = await CallAsync("Basics",
            "byte 255", "true", "int16 -32768", "uint16 65535", "int32 -2147483648", "uint32 4294967295",
            "int64 -9223372036854775808", "uint64 18446744073709551615", "3.5", "'héllo wörld'", "objectpath '/a/b'", "signature 'a{sv}'");
        Assert.That(output, Is.EqualTo(
            "(byte 0xff, true, int16 -32768, uint16 65535, -2147483648, uint32 4294967295, int64 -9223372036854775808, uint64 18446744073709551615, 3.5, 'héllo wörld', objectpath '/a/b', signature 'a{sv}')"));
    }

    [Test]
    public async Task NestedContainersAndVariantsRoundTrip()
    {
        var output = await CallAsync("Containers",
            "[1, 2, 3]", "['x', 'y']", "{'k1': <uint32 7>, 'k2': <['deep']>}", "(-1, 'foo', 2.25)",
            "[('n', {'key': 9})]", "[[byte 1, 2], []]", "<[(5, <'inner'>)]>");
        Assert.That(output, Is.EqualTo(
            "([1, 2, 3], ['x', 'y'], {'k1': <uint32 7>, 'k2': <['deep']>}, (-1, 'foo', 2.25), [('n', {'key': 9})], [[byte 0x01, 0x02], []], <[(5, <'inner'>)]>)"));
    }

    [Test]
    public async Task ErrorsCarryNameAndMessage()
    {
        var output = await ToolRunner.RunAsync("gdbus", ["call", "--address", _served.Address, "--dest", ServedBus.BusName,
            "--object-path", ServedBus.ObjectPathText, "--method", $"{TestInterface.InterfaceName}.Fail", "org.concierge.Error.Custom", "custom text"], allowFailure: true);
        Assert.That(output, Does.Contain("org.concierge.Error.Custom").And.Contain("custom text"));
    }

    [Test]
    public async Task IntrospectListsChildNodes()
    {
        var output = await ToolRunner.RunAsync("gdbus", ["introspect", "--address", _served.Address, "--dest", ServedBus.BusName, "--object-path", "/org/concierge"]);
        Assert.That(output, Does.Contain("node test"));
        Assert.That(output, Does.Contain("interface org.freedesktop.DBus.ObjectManager"));
    }

    [Test]
    public async Task GdbusPassesAnFdThatWeReadAFileThrough()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "gdbus fd");
        try
        {
            // gdbus sends its own fd 3 (opened on the file by the shell) as the UNIX_FD argument.
            var output = await ToolRunner.ShellAsync(
                $"gdbus call --address '{_served.Address}' --dest {ServedBus.BusName} --object-path {ServedBus.ObjectPathText} --method {TestInterface.InterfaceName}.ReadFile 'handle 3' 3<'{path}'");
            Assert.That(output.Trim(), Is.EqualTo("('gdbus fd',)"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
