using NUnit.Framework;

namespace Concierge.Tests.Service.Hostile;

/// <summary>
/// One <see cref="HostileService"/> per fixture, started again before a test when the one before
/// ended it (or took it off the bus), so every test judges a live service.
/// </summary>
public abstract class HostileServiceFixture
{
    private protected HostileService Service { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartService() => Service = await HostileService.StartAsync();

    [OneTimeTearDown]
    public async Task StopService() => await Service.DisposeAsync();

    [SetUp]
    public async Task EnsureServiceRuns()
    {
        if (Service.Process.HasExited || !Service.OwnedByTheProcess())
        {
            await Service.RestartAsync();
        }
    }
}
