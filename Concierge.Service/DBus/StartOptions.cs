using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Supervision;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus;

/// <summary>
/// The <c>a{sv}</c> options of Manager.StartVm: Kernel, Initrd, Rootfs (s, paths the caller may
/// use), Disks (a(sb): extra disks after the rootfs in guest order, each a path the caller may
/// use and whether it is writable), KernelParams (as), Vcpus (u), MemoryMiB (t), StartupTimeoutSec (u), HeartbeatIntervalMs (u),
/// MissedHeartbeats (u), RestartPolicy (s: never, on-failure, on-unresponsive). Unknown keys,
/// wrong types and a key given twice are InvalidArgs, so a typo never silently starts a different VM.
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

    /// <summary>Reads the options (an <c>a{sv}</c>, next in <paramref name="reader"/>) into the start request they describe.</summary>
    public static VmStartRequest Read(ref Reader reader)
    {
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        var numbers = new Dictionary<string, ulong>(StringComparer.Ordinal);
        List<DiskRequest> disks = [];
        List<string> kernelParams = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            var key = reader.ReadString();
            var signature = reader.ReadSignatureAsString();
            if (!Types.TryGetValue(key, out var type))
            {
                throw new InvalidRequestException(key, $"unknown option '{key}'; known: {string.Join(", ", Types.Keys)}");
            }
            if (signature != type)
            {
                throw new InvalidRequestException(key, $"option '{key}' has type '{type}', got '{signature}'");
            }
            if (!seen.Add(key))
            {
                throw new InvalidRequestException(key, $"option '{key}' is given more than once");
            }
            switch (type)
            {
                case "s":
                    strings[key] = reader.ReadString();
                    break;
                case "u":
                    numbers[key] = reader.ReadUInt32();
                    break;
                case "t":
                    numbers[key] = reader.ReadUInt64();
                    break;
                case "as":
                    kernelParams = [.. reader.ReadArrayOfString()];
                    break;
                default:
                    disks = ReadDisks(ref reader);
                    break;
            }
        }
        return new VmStartRequest
        {
            KernelPath = strings.GetValueOrDefault("Kernel"),
            InitrdPath = strings.GetValueOrDefault("Initrd"),
            RootfsPath = strings.GetValueOrDefault("Rootfs"),
            Disks = disks,
            KernelParams = kernelParams,
            Vcpus = (uint)numbers.GetValueOrDefault("Vcpus"),
            MemoryMiB = numbers.GetValueOrDefault("MemoryMiB"),
            StartupTimeoutSeconds = (uint)numbers.GetValueOrDefault("StartupTimeoutSec"),
            HeartbeatIntervalMs = (uint)numbers.GetValueOrDefault("HeartbeatIntervalMs"),
            MissedHeartbeats = (uint)numbers.GetValueOrDefault("MissedHeartbeats"),
            RestartPolicy = strings.GetValueOrDefault("RestartPolicy") switch
            {
                null => null,
                "never" => RestartPolicy.Never,
                "on-failure" => RestartPolicy.OnFailure,
                "on-unresponsive" => RestartPolicy.OnUnresponsive,
                var other => throw new InvalidRequestException("RestartPolicy", $"RestartPolicy '{other}' is not one of never, on-failure, on-unresponsive"),
            },
        };
    }

    private static List<DiskRequest> ReadDisks(ref Reader reader)
    {
        var disks = new List<DiskRequest>();
        var end = reader.ReadArrayStart(DBusType.Struct);
        while (reader.HasNext(end))
        {
            var path = reader.ReadString();
            disks.Add(new DiskRequest(path, null, reader.ReadBool()));
        }
        return disks;
    }
}
