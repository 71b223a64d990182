using Concierge.Contracts;
using System.Globalization;
using Concierge.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// Reads the typed face's VM properties (Name, Owner, State, Health, Cid, Vcpus, MemoryMiB,
/// StartedUsec, BootDurationUsec, LastHeartbeatUsec, StopReason, ...). Numbers are accepted in any
/// integer D-Bus type, and owners as uid or text, so a service that widens a type still reads.
/// </summary>
internal static class VmPropertyMap
{
    public static VmDetails ToDetails(IReadOnlyDictionary<string, Variant> properties)
    {
        var state = ParseState(Text(properties, "State"));
        return new VmDetails
        {
            Name = Text(properties, "Name") ?? string.Empty,
            OwnerId = properties.TryGetValue("Owner", out var owner) ? Convert.ToString(owner.Value, CultureInfo.InvariantCulture) ?? string.Empty : string.Empty,
            State = state,
            Health = ParseHealth(Text(properties, "Health")),
            Cid = Number(properties, "Cid"),
            Vcpus = (uint)Number(properties, "Vcpus"),
            MemoryMiB = (ulong)Number(properties, "MemoryMiB"),
            StartedAt = Time(Number(properties, "StartedUsec")),
            BootDuration = Number(properties, "BootDurationUsec") is > 0 and var boot ? TimeSpan.FromMicroseconds(boot) : null,
            LastHeartbeatAt = Time(Number(properties, "LastHeartbeatUsec")),
            StopReason = Text(properties, "StopReason") is { Length: > 0 } reason ? reason : null,
            FailureReason = Text(properties, "FailureReason") is { Length: > 0 } failure ? failure : null,
            RestartCount = (uint)Number(properties, "RestartCount"),
            KernelVersion = Text(properties, "KernelVersion") is { Length: > 0 } kernel ? kernel : null,
            Guest = GuestVitals.FromReported(Number(properties, "GuestUptimeUsec"), Real(properties, "GuestLoad1"), Real(properties, "GuestLoad5"),
                Real(properties, "GuestLoad15"), (ulong)Number(properties, "GuestMemoryAvailableBytes"), (ulong)Number(properties, "GuestMemoryTotalBytes")),
            HeartbeatsMissed = (ulong)Number(properties, "HeartbeatsMissed"),
        };
    }

    public static VmState ParseState(string? text) => text?.ToLowerInvariant() switch
    {
        "starting" => VmState.Starting,
        "running" => VmState.Running,
        "stopping" => VmState.Stopping,
        "stopped" => VmState.Stopped,
        "failed" => VmState.Failed,
        "suspended" => VmState.Suspended,
        _ => VmState.Unknown,
    };

    public static VmHealth ParseHealth(string? text) => text?.ToLowerInvariant() switch
    {
        "healthy" => VmHealth.Healthy,
        "unresponsive" => VmHealth.Unresponsive,
        _ => VmHealth.Unknown,
    };

    /// <summary>The change in a PropertiesChanged signal of a VM object, or null for anything else.</summary>
    public static VmPropertiesChange? TryParseChange(Message signal)
    {
        if (signal.Signature != "sa{sv}as" || signal.Path is not { } path)
        {
            return null;
        }
        var reader = signal.GetBodyReader();
        if (reader.ReadString() != ConciergeBus.VmInterface)
        {
            return null;
        }
        var changed = reader.ReadPropertyMap().ToDictionary(pair => pair.Key, pair => pair.Value.Value, StringComparer.Ordinal);
        return new VmPropertiesChange(path, changed);
    }

    private static string? Text(IReadOnlyDictionary<string, Variant> properties, string name) =>
        properties.TryGetValue(name, out var value) ? value.Value as string : null;

    private static long Number(IReadOnlyDictionary<string, Variant> properties, string name) =>
        properties.TryGetValue(name, out var value) ? Integer(value.Value) : 0;

    private static double Real(IReadOnlyDictionary<string, Variant> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.Value is double real && double.IsFinite(real) ? real : 0;

    /// <summary>Any D-Bus integer as a long (unsigned values past long.MaxValue saturate: no real property gets there).</summary>
    internal static long Integer(object? value) => value switch
    {
        byte b => b,
        short s => s,
        ushort us => us,
        int i => i,
        uint ui => ui,
        long l => l,
        ulong ul => ul > long.MaxValue ? long.MaxValue : (long)ul,
        _ => 0,
    };

    private static DateTimeOffset? Time(long unixMicroseconds) =>
        unixMicroseconds > 0 ? DateTimeOffset.UnixEpoch.AddTicks(unixMicroseconds * 10) : null;
}
