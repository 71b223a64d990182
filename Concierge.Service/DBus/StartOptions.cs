using Concierge.DBus.Protocol;
using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Supervision;

namespace Concierge.Service.DBus;

/// <summary>
/// The <c>a{sv}</c> options of Manager.StartVm: Kernel, Initrd, Rootfs (s, paths the caller may
/// use), Disks (a(sb): extra disks after the rootfs in guest order, each a path the caller may
/// use and whether it is writable), KernelParams (as), Vcpus (u), MemoryMiB (t), StartupTimeoutSec (u), HeartbeatIntervalMs (u),
/// MissedHeartbeats (u), RestartPolicy (s: never, on-failure, on-unresponsive). Unknown keys and
/// wrong types are InvalidArgs, so a typo never silently starts a different VM.
/// </summary>
public static class StartOptions
{
    /// <summary>Every key and its D-Bus type.</summary>
    public static IReadOnlyDictionary<string, string> Types { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Kernel"] = "s",
        ["Initrd"] = "s",
        ["Rootfs"] = "s",
        ["Disks"] = "a(sb)",
        ["KernelParams"] = "as",
        ["Vcpus"] = "u",
        ["MemoryMiB"] = "t",
        ["StartupTimeoutSec"] = "u",
        ["HeartbeatIntervalMs"] = "u",
        ["MissedHeartbeats"] = "u",
        ["RestartPolicy"] = "s",
    };

    /// <summary>The start request the options describe.</summary>
    public static VmStartRequest Parse(IReadOnlyDictionary<string, Variant> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (key, value) in options)
        {
            if (!Types.TryGetValue(key, out var type))
            {
                throw new InvalidRequestException(key, $"unknown option '{key}'; known: {string.Join(", ", Types.Keys)}");
            }
            if (value.Signature != type)
            {
                throw new InvalidRequestException(key, $"option '{key}' has type '{type}', got '{value.Signature}'");
            }
        }
        return new VmStartRequest
        {
            KernelPath = Get<string>(options, "Kernel"),
            InitrdPath = Get<string>(options, "Initrd"),
            RootfsPath = Get<string>(options, "Rootfs"),
            Disks = options.TryGetValue("Disks", out var disks) ? Disks(disks) : [],
            KernelParams = Get<IReadOnlyList<string>>(options, "KernelParams") ?? [],
            Vcpus = Get<uint>(options, "Vcpus"),
            MemoryMiB = Get<ulong>(options, "MemoryMiB"),
            StartupTimeoutSeconds = Get<uint>(options, "StartupTimeoutSec"),
            HeartbeatIntervalMs = Get<uint>(options, "HeartbeatIntervalMs"),
            MissedHeartbeats = Get<uint>(options, "MissedHeartbeats"),
            RestartPolicy = Get<string>(options, "RestartPolicy") switch
            {
                null => null,
                "never" => RestartPolicy.Never,
                "on-failure" => RestartPolicy.OnFailure,
                "on-unresponsive" => RestartPolicy.OnUnresponsive,
                var other => throw new InvalidRequestException("RestartPolicy", $"RestartPolicy '{other}' is not one of never, on-failure, on-unresponsive"),
            },
        };
    }

    private static List<DiskRequest> Disks(Variant disks) =>
        [.. ((IEnumerable<object>)disks.Value).Cast<DBusStruct>().Select(d => new DiskRequest((string)d.Fields[0], null, (bool)d.Fields[1]))];

    private static T? Get<T>(IReadOnlyDictionary<string, Variant> options, string key) =>
        options.TryGetValue(key, out var value) ? (T)ConvertValue(value.Value, typeof(T)) : default;

    private static object ConvertValue(object value, Type target) =>
        target == typeof(IReadOnlyList<string>) && value is IEnumerable<object> items ? items.Cast<string>().ToList() : value;
}
