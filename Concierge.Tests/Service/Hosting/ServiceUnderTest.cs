using Concierge.Tests.TestSupport;

namespace Concierge.Tests.Service.Hosting;

/// <summary>
/// A private bus reachable by other uids, temp state and image directories (the image directory
/// holds an unbootable "vmlinuz", so starts fail fast and deterministically without KVM), and a
/// running service over them.
/// </summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly IReadOnlyList<string> _wrapper;

    private ServiceUnderTest(PrivateBus bus, string root, IReadOnlyList<string> wrapper)
    {
        Bus = bus;
        Root = root;
        _wrapper = wrapper;
    }

    public PrivateBus Bus { get; }

    public string Root { get; }

    public string StateDirectory => Path.Combine(Root, "state");

    public string ImageDirectory => Path.Combine(Root, "images");

    public ConciergeProcess? Service { get; private set; }

    /// <summary>
    /// Starts it all. The service runs as <paramref name="user"/> when given, owning its state
    /// directory as systemd's StateDirectory= would, and under the unit's system call filter with
    /// <paramref name="syscallFilter"/>, as systemd would run it. With <paramref name="realPolicy"/>
    /// the bus is configured like the system bus plus our policy file (then only user concierge
    /// may own the service's name).
    /// </summary>
    public static async Task<ServiceUnderTest> StartAsync(IReadOnlyDictionary<string, string>? environment = null, string? user = null,
        bool syscallFilter = false, bool realPolicy = false)
    {
        var bus = realPolicy
            ? await PrivateBus.StartAsync($"<include>{Path.Combine(RepoPaths.Root, "dbus-policy", "org.chromium.VmConcierge.conf")}</include>", PrivateBus.BusPolicy.SystemDefaults)
            : await PrivateBus.StartAsync();
        // Helpers run as other uids (setpriv) must reach the bus socket.
        File.SetUnixFileMode(bus.Directory, (UnixFileMode)0b111_101_101);
        var root = Directory.CreateTempSubdirectory("concierge-api-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(root, "images"));
        await File.WriteAllTextAsync(Path.Combine(root, "images", "vmlinuz"), "not a kernel");
        if (user is not null)
        {
            Directory.CreateDirectory(Path.Combine(root, "state"));
            await Command.RunCheckedAsync("chown", user + ":", Path.Combine(root, "state"));
        }
        string[] filter = syscallFilter ? [Path.Combine(RepoPaths.Root, "systemd", "run-with-syscall-filter")] : [];
        string[] setpriv = user is null ? [] : ["setpriv", .. await AsUser.SetprivAsync(user)];
        // setpriv changes users, which the filter forbids: it goes first, as systemd does.
        var under = new ServiceUnderTest(bus, root, [.. setpriv, .. filter]);
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
        Service = await ConciergeProcess.StartAsync(Bus.Address, StateDirectory, ImageDirectory, environment, wrapper: _wrapper);
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
