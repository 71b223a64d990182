using System.Text.RegularExpressions;
using Concierge.Tests.DBus.TestObjects;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>dbus-send (libdbus) calls what Concierge.DBus serves, using its type:value syntax.</summary>
[TestFixture]
[Category("Bus")]
public sealed class DbusSendTests
{
    private ServedBus _served = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _served = await ServedBus.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _served.DisposeAsync();

    private async Task<string> CallAsync(string method, params string[] arguments)
    {
        var output = await ToolRunner.RunAsync("dbus-send", [$"--bus={_served.Address}", "--print-reply=literal", $"--dest={ServedBus.BusName}",
            ServedBus.ObjectPathText, $"{TestInterface.InterfaceName}.{method}", .. arguments]);
        return Regex.Replace(output, @"\s+", " ").Trim();
    }

    [Test]
    public async Task EveryBasicTypeRoundTrips()
    {
        // dbus-send has no syntax for SIGNATURE values, so this method takes every other basic type.
        var output = await CallAsync("BasicsWithoutSignature",
            "byte:255", "boolean:true", "int16:-32768", "uint16:65535", "int32:-2147483648", "uint32:4294967295",
            "int64:-9223372036854775808", "uint64:18446744073709551615", "double:3.5", "string:héllo wörld", "objpath:/a/b");
        Assert.That(output, Is.EqualTo(
            "byte 255 boolean true int16 -32768 uint16 65535 int32 -2147483648 uint32 4294967295 int64 -9223372036854775808 uint64 18446744073709551615 double 3.5 héllo wörld /a/b"));
    }

    [Test]
    public async Task ArraysDictsAndVariantsRoundTrip()
    {
        var output = await CallAsync("Collections", "array:string:x,y", "dict:string:int32:one,1,two,2", "variant:uint64:42");
        Assert.That(output, Is.EqualTo("array [ x y ] array [ dict entry( one int32 1 ) dict entry( two int32 2 ) ] variant uint64 42"));
    }

    [Test]
    public async Task NoReplyExpectedStillRunsTheHandler()
    {
        var before = _served.Test.Calls;
        // Without --print-reply, dbus-send sets NO_REPLY_EXPECTED.
        await ToolRunner.RunAsync("dbus-send", [$"--bus={_served.Address}", "--type=method_call", $"--dest={ServedBus.BusName}",
            ServedBus.ObjectPathText, $"{TestInterface.InterfaceName}.EmitPing", "string:quiet"]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_served.Test.Calls == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.That(_served.Test.Calls, Is.GreaterThan(before));
    }
}
