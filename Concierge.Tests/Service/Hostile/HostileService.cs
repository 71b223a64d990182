using System.Globalization;
using System.Xml.Linq;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;

namespace Concierge.Tests.Service.Hostile;

/// <summary>
/// The real service as it is deployed on the system bus: a private dbus-daemon with the system
/// bus's defaults and the shipped policy file, the service running as user concierge (the only
/// user the policy lets own the name), and callers connecting as a member of group concierge.
/// The image directory is empty, so no VM can ever boot (no KVM needed).
/// </summary>
public sealed class HostileService : IAsyncDisposable
{
    public const string Name = ConciergeProcess.BusName;
    public const string Root = "/org/chromium/VmConcierge";
    public const string ChromeOs = "org.chromium.VmConcierge";
    public const string Manager = "org.chromium.VmConcierge.Manager";
    public const string Vm = "org.chromium.VmConcierge.Vm";
    public const string Peer = "org.freedesktop.DBus.Peer";
    public const string Properties = "org.freedesktop.DBus.Properties";
    public const string Introspectable = "org.freedesktop.DBus.Introspectable";

    // dbus-daemon's built-in max_message_size (bus/config-parser.c: 32 MiB), which the system
    // bus's system.conf keeps; used when our config sets none.
    private const long DaemonDefaultMaxMessageSize = 32L << 20;

    private readonly string _root;

    private HostileService(PrivateBus bus, string root, UnixIdentity member)
    {
        Bus = bus;
        _root = root;
        Member = member;
    }

    public PrivateBus Bus { get; }

    /// <summary>The group member tests call as.</summary>
    public UnixIdentity Member { get; }

    public ConciergeProcess Process { get; private set; } = null!;

    public static async Task<HostileService> StartAsync()
    {
        await ConciergeUsers.EnsureAsync();
        var bus = await PrivateBus.StartAsync(
            $"<include>{Path.Combine(RepoPaths.Root, "dbus-policy", "org.chromium.VmConcierge.conf")}</include>",
            PrivateBus.BusPolicy.SystemDefaults);
        var root = Directory.CreateTempSubdirectory("concierge-hostile-").FullName;
        // rwxr-xr-x: the service runs as user concierge and must reach its directories.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(root, "images"));
        Directory.CreateDirectory(Path.Combine(root, "state"));
        await Command.RunCheckedAsync("chown", ConciergeUsers.Service + ":", Path.Combine(root, "state"));
        var service = new HostileService(bus, root, await UnixIdentity.OfUserAsync(ConciergeUsers.GroupMember));
        await service.RestartAsync();
        return service;
    }

    /// <summary>A fresh service process (after a test ended the last one), owning the name again.</summary>
    public async Task RestartAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
        Process = await ConciergeProcess.StartAsync(Bus.Address, Path.Combine(_root, "state"), Path.Combine(_root, "images"),
            waitForName: false, wrapper: ["setpriv", .. await AsUser.SetprivAsync(ConciergeUsers.Service)]);
        await Eventually.HoldsAsync(() => !Process.HasExited && OwnedByTheProcess(), TimeSpan.FromSeconds(90),
            () => $"the service did not take {Name}:\n{Process.Output}");
    }

    /// <summary>A connection as the group member.</summary>
    public RawBusClient ConnectMember(bool negotiateUnixFds = false) => RawBusClient.Connect(Bus.Address, Member, negotiateUnixFds);

    /// <summary>Whether the name's owner on the bus is the service process (asked as root, through the bus).</summary>
    public bool OwnedByTheProcess() => UniqueName() is { } owner && OwnerPid(owner) == (uint)Process.ProcessId;

    /// <summary>The unique name that owns <see cref="Name"/>, if any.</summary>
    public string? UniqueName()
    {
        using var bus = RawBusClient.Connect(Bus.Address);
        var timeout = TimeSpan.FromSeconds(10);
        var owner = bus.Call(RawMessage.Call(RawBusClient.BusName, RawBusClient.BusPath, RawBusClient.BusName, "GetNameOwner", "s", b => b.Utf8(Name)), timeout);
        return owner.IsError ? null : owner.FirstString();
    }

    private uint? OwnerPid(string owner)
    {
        using var bus = RawBusClient.Connect(Bus.Address);
        return bus.Call(RawMessage.Call(RawBusClient.BusName, RawBusClient.BusPath, RawBusClient.BusName, "GetConnectionUnixProcessID", "s",
            b => b.Utf8(owner)), TimeSpan.FromSeconds(10)).FirstUInt32();
    }

    /// <summary>The service's resident set (VmRSS) in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Process.ProcessId}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The daemon's max_message_size: from our config when it sets one, else the daemon's default.</summary>
    public long MaxMessageSize()
    {
        var limit = XDocument.Load(Bus.ConfigPath).Descendants("limit").FirstOrDefault(l => (string?)l.Attribute("name") == "max_message_size");
        return limit is null ? DaemonDefaultMaxMessageSize : long.Parse(limit.Value.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>A Peer.Ping to the service.</summary>
    public static RawMessage Ping() => new(Name, Root, Peer, "Ping", "", []);

    /// <summary>The typed face's ListVms, the simplest real call.</summary>
    public static RawMessage ListVms() => new(Name, Root, Manager, "ListVms", "", []);

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
        await Bus.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
