using Concierge.Tests.DBus.TestObjects;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>busctl (sd-bus) calls, introspects and reads properties of what Concierge.DBus serves.</summary>
[TestFixture]
[Category("Bus")]
public sealed class BusctlTests
{
    private ServedBus _served = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _served = await ServedBus.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _served.DisposeAsync();

    private Task<string> BusctlAsync(params string[] arguments) =>
        ToolRunner.RunAsync("busctl", [$"--address={_served.Address}", .. arguments]);

    private Task<string> CallAsync(string method, string signature, params string[] arguments) =>
        BusctlAsync(["--", "call", ServedBus.BusName, ServedBus.ObjectPathText, TestInterface.InterfaceName, method, signature, .. arguments]);

    [Test]
    public async Task EveryBasicTypeRoundTrips()
    {
        var output = await CallAsync("Basics", TestInterface.BasicsSignature,
            "255", "true", "-32768", "65535", "-2147483648", "4294967295", "-9223372036854775808", "18446744073709551615",
            "3.5", "héllo wörld", "/a/b", "a{sv}");
        // busctl prints non-ASCII bytes as octal escapes: c3 a9 is é, c3 b6 is ö in UTF-8.
        Assert.That(output.Trim(), Is.EqualTo(
            "ybnqiuxtdsog 255 true -32768 65535 -2147483648 4294967295 -9223372036854775808 18446744073709551615 3.5 \"h\\303\\251llo w\\303\\266rld\" \"/a/b\" \"a{sv}\""));
    }

    [Test]
    public async Task ContainersAndVariantsRoundTrip()
    {
        var output = await CallAsync("Containers", TestInterface.ContainersSignature,
            "3", "1", "2", "3",
            "2", "x", "y",
            "2", "k1", "u", "7", "k2", "as", "1", "deep",
            "-1", "foo", "2.25",
            "1", "n", "1", "key", "9",
            "2", "2", "1", "2", "0",
            "a(iv)", "1", "5", "s", "inner");
        Assert.That(output.Trim(), Is.EqualTo(
            TestInterface.ContainersSignature + " 3 1 2 3 2 \"x\" \"y\" 2 \"k1\" u 7 \"k2\" as 1 \"deep\" -1 \"foo\" 2.25 1 \"n\" 1 \"key\" 9 2 2 1 2 0 a(iv) 1 5 s \"inner\""));
    }

    [Test]
    public async Task IntrospectShowsInterfacesMethodsAndProperties()
    {
        var output = await BusctlAsync("introspect", ServedBus.BusName, ServedBus.ObjectPathText);
        Assert.That(output, Does.Contain("org.concierge.Test1"));
        Assert.That(output, Does.Contain(".Basics"));
        Assert.That(output, Does.Match(@"\.Count\s+property\s+u\s+7\s+emits-change writable"));
        Assert.That(output, Does.Match(@"\.Tags\s+property\s+as\s+2 ""a"" ""b""\s+const"));
        Assert.That(output, Does.Contain("org.freedesktop.DBus.Properties"));
    }

    [Test]
    public async Task TreeWalksIntermediateNodes()
    {
        var output = await BusctlAsync("tree", ServedBus.BusName);
        Assert.That(output, Does.Contain("/org/concierge/test/main"));
        Assert.That(output, Does.Contain("/org/concierge/test"));
    }

    [Test]
    public async Task GetPropertyReadsValues()
    {
        var output = await BusctlAsync("get-property", ServedBus.BusName, ServedBus.ObjectPathText, TestInterface.InterfaceName, "Name", "Tags");
        Assert.That(output.Trim(), Is.EqualTo("s \"test object\"\nas 2 \"a\" \"b\""));
    }
}
