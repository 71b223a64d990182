using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using Concierge.Vmc;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

/// <summary>vmc when the service is missing, the bus is missing, or the bus policy says no.</summary>
[TestFixture]
[Category("Bus")]
public sealed class VmcNoServiceTests
{
    [Test]
    public async Task No_service_on_the_bus_exits_3_and_says_how_to_start_it()
    {
        await using var bus = await PrivateBus.StartAsync();
        // The real executable, to check the exit status a shell sees.
        var run = await Command.RunAsync(Path.Combine(AppContext.BaseDirectory, "vmc"), ["list", "--address", bus.Address]);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.ServiceUnavailable), run.Output);
        Assert.That(run.StandardError, Does.Contain("not running").And.Contain("systemctl start concierge"));
    }

    [Test]
    public async Task No_bus_exits_3_and_names_the_address()
    {
        var run = await VmcRun.RunAsync("list", "--address", "unix:path=/nonexistent/bus");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.ServiceUnavailable), run.Output);
        Assert.That(run.Error, Does.Contain("/nonexistent/bus").And.Contain("--address"));
    }

    [Test]
    public async Task The_system_bus_address_comes_from_the_environment()
    {
        var saved = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/system-bus");
        try
        {
            var run = await VmcRun.RunAsync("list");
            Assert.That(run.Error, Does.Contain("/nonexistent/system-bus"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", saved);
        }
    }

    [Test]
    public async Task A_bus_policy_that_denies_the_caller_exits_4_and_says_what_to_do()
    {
        // Everyone may own names and talk, except to the service: the bus itself answers AccessDenied.
        await using var bus = await PrivateBus.StartAsync(
            """
            <policy context="default">
              <allow user="*"/>
              <allow own="*"/>
              <allow send_destination="*"/>
              <allow receive_sender="*"/>
              <deny send_destination="org.chromium.VmConcierge"/>
            </policy>
            """,
            PrivateBus.BusPolicy.SystemDefaults);
        var directory = Directory.CreateTempSubdirectory("vmc-denied-");
        await using var service = await ConciergeProcess.StartAsync(bus.Address, Path.Combine(directory.FullName, "state"), Directory.CreateDirectory(Path.Combine(directory.FullName, "images")).FullName);
        var run = await VmcRun.RunAsync("list", "--address", bus.Address);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.AccessDenied), run.Output);
        Assert.That(run.Error, Does.Contain("access denied").And.Contain("group concierge"));
        directory.Delete(recursive: true);
    }
}
