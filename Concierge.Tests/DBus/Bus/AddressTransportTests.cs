using Concierge.DBus;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>Connecting over unix:abstract= and falling back through ;-separated entries.</summary>
[TestFixture]
[Category("Bus")]
public sealed class AddressTransportTests
{
    [Test]
    public async Task AbstractSocketsAndFallbacksConnect()
    {
        var name = $"concierge-test-{Guid.NewGuid():N}";
        await using var bus = await PrivateBus.StartAsync($"<listen>unix:abstract={name}</listen>");
        var missing = Path.Combine(bus.Directory, "missing-socket");
        await using var connection = await DBusConnection.ConnectAsync($"unix:path={missing};tcp:host=localhost,port=1;unix:abstract={name}");
        Assert.That(connection.UniqueName, Does.StartWith(":"));
        Assert.That(await connection.GetBusIdAsync(), Has.Length.EqualTo(32));
    }

    [Test]
    public async Task NoReachableEntryFailsWithEveryReason()
    {
        var error = Assert.ThrowsAsync<DBusException>(() => DBusConnection.ConnectAsync("unix:path=/nonexistent/bus;unix:abstract=concierge-nobody-listens"));
        Assert.That(error!.Message, Does.Contain("/nonexistent/bus").Or.Contain("unix"));
        await Task.CompletedTask;
    }
}
