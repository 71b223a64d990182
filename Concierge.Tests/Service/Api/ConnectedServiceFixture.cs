using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using NUnit.Framework;
using Tmds.DBus.Protocol;

namespace Concierge.Tests.Service.Api;

/// <summary>One <see cref="ServiceUnderTest"/> per fixture and one bus connection of the test (as root) to call it.</summary>
public abstract class ConnectedServiceFixture
{
    private protected ServiceUnderTest Service { get; private set; } = null!;

    private protected DBusConnection Connection { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartService()
    {
        Service = await ServiceUnderTest.StartAsync();
        Connection = await TestBus.ConnectAsync(Service.Bus.Address);
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        Connection.Dispose();
        await Service.DisposeAsync();
    }
}
