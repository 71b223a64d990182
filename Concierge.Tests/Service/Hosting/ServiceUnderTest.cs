using Concierge.Tests.TestSupport;

namespace Concierge.Tests.Service.Hosting;

/// <summary>
/// A private bus reachable by other uids, temp state and image directories (the image directory
/// holds an unbootable "vmlinuz", so starts fail fast and deterministically without KVM), and a
/// running service over them.
/// </summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    private ServiceUnderTest(PrivateBus bus, string root)
    {
        Bus = bus;
        Root = root;
    }

    public PrivateBus Bus { get; }

    public string Root { get; }

    public string StateDirectory => Path.Combine(Root, "state");

    public string ImageDirectory => Path.Combine(Root, "images");

    public ConciergeProcess? Service { get; private set; }

    public static async Task<ServiceUnderTest> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var bus = await PrivateBus.StartAsync();
        // Helpers run as other uids (setpriv) must reach the bus socket.
        File.SetUnixFileMode(bus.Directory, (UnixFileMode)0b111_101_101);
        var root = Directory.CreateTempSubdirectory("concierge-api-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(root, "images"));
        await File.WriteAllTextAsync(Path.Combine(root, "images", "vmlinuz"), "not a kernel");
        var under = new ServiceUnderTest(bus, root);
        await under.RestartAsync(environment);
        return under;
    }

    /// <summary>Starts a (new) service process over the same bus and directories.</summary>
    public async Task<ConciergeProcess> RestartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        Service = await ConciergeProcess.StartAsync(Bus.Address, StateDirectory, ImageDirectory, environment);
        return Service;
    }

    public async ValueTask DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        await Bus.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
