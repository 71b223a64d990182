using Concierge.Contracts;
using System.Globalization;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// Reads the typed face's VM properties (Name, Owner, State, Health, Cid, Vcpus, MemoryMiB,
/// StartedUsec, BootDurationUsec, LastHeartbeatUsec, StopReason, ...). Numbers are accepted in any
/// integer D-Bus type, and owners as uid or text, so a service that widens a type still reads.
/// </summary>
internal static class VmPropertyMap
{
    public static VmDetails ToDetails(IReadOnlyDictionary<string, VariantValue> properties)
    {
        var state = ParseState(Text(properties, "State"));
        return new VmDetails
        {
            Name = Text(properties, "Name") ?? string.Empty,
            OwnerId = properties.TryGetValue("Owner", out var owner) ? Convert.ToString(ToObject(owner), CultureInfo.InvariantCulture) ?? string.Empty : string.Empty,
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

    /// <summary>
    /// The change in a PropertiesChanged signal of a VM object, or null for anything else (this runs
    /// on the receive loop, where an exception would close the connection).
    /// </summary>
    public static VmPropertiesChange? TryParseChange(Message signal)
    {
        if (signal.SignatureAsString != "sa{sv}as" || signal.PathAsString is not { } path)
        {
            return null;
        }
        var reader = signal.GetBodyReader();
        if (reader.ReadString() != ConciergeBus.VmInterface)
        {
            return null;
        }
        var changed = reader.ReadDictionaryOfStringToVariantValue().ToDictionary(pair => pair.Key, pair => ToObject(pair.Value), StringComparer.Ordinal);
        return new VmPropertiesChange(path, changed);
    }

    private static string? Text(IReadOnlyDictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.Type == VariantValueType.String ? value.GetString() : null;

    private static long Number(IReadOnlyDictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var value) ? Integer(value) : 0;

    private static double Real(IReadOnlyDictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.Type == VariantValueType.Double && double.IsFinite(value.GetDouble()) ? value.GetDouble() : 0;

    /// <summary>Any D-Bus integer as a long (unsigned values past long.MaxValue saturate: no real property gets there); 0 for other types.</summary>
    private static long Integer(VariantValue value) => value.Type switch
    {
        VariantValueType.Byte => value.GetByte(),
        VariantValueType.Int16 => value.GetInt16(),
        VariantValueType.UInt16 => value.GetUInt16(),
        VariantValueType.Int32 => value.GetInt32(),
        VariantValueType.UInt32 => value.GetUInt32(),
        VariantValueType.Int64 => value.GetInt64(),
        VariantValueType.UInt64 => value.GetUInt64() > long.MaxValue ? long.MaxValue : (long)value.GetUInt64(),
        _ => 0,
    };

    /// <summary>A basic value as the .NET value it holds (string, uint, ulong, long, double, bool, ...); containers stay <see cref="VariantValue"/>s.</summary>
    private static object ToObject(VariantValue value) => value.Type switch
    {
        VariantValueType.Byte => (object)value.GetByte(),
        VariantValueType.Bool => value.GetBool(),
        VariantValueType.Int16 => value.GetInt16(),
        VariantValueType.UInt16 => value.GetUInt16(),
        VariantValueType.Int32 => value.GetInt32(),
        VariantValueType.UInt32 => value.GetUInt32(),
        VariantValueType.Int64 => value.GetInt64(),
        VariantValueType.UInt64 => value.GetUInt64(),
        VariantValueType.Double => value.GetDouble(),
        VariantValueType.String => value.GetString(),
        VariantValueType.ObjectPath => value.GetObjectPathAsString(),
        VariantValueType.Signature => value.GetSignature().ToString(),
        // The cast on the first arm makes the switch's type object: VariantValue converts implicitly
        // from the basic types, so without it every arm would be wrapped back into one.
        _ => value,
    };

    private static DateTimeOffset? Time(long unixMicroseconds) =>
        unixMicroseconds > 0 ? DateTimeOffset.UnixEpoch.AddTicks(unixMicroseconds * 10) : null;
}
