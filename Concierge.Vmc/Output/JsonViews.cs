using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Concierge.Client;

namespace Concierge.Vmc.Output;

/// <summary>
/// The JSON vmc prints for scripts: snake_case keys, times in ISO 8601 UTC, durations in
/// seconds, absent values as null. These shapes are vmc's contract with scripts.
/// </summary>
internal static class JsonViews
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Vm(VmDetails vm, DateTimeOffset now) => new()
    {
        ["name"] = vm.Name,
        ["owner"] = vm.OwnerId,
        ["state"] = Humanize.Word(vm.State),
        ["health"] = Humanize.Word(vm.Health),
        ["cid"] = vm.Cid,
        ["vcpus"] = vm.Vcpus,
        ["memory_mib"] = vm.MemoryMiB,
        ["started_at"] = Time(vm.StartedAt),
        ["uptime_seconds"] = vm.UptimeAt(now) is { } uptime ? Math.Round(uptime.TotalSeconds, 3) : null,
        ["boot_seconds"] = vm.BootDuration is { } boot ? Math.Round(boot.TotalSeconds, 3) : null,
        ["last_heartbeat_at"] = Time(vm.LastHeartbeatAt),
        ["stop_reason"] = vm.StopReason,
        ["failure_reason"] = vm.FailureReason,
        ["restart_count"] = vm.RestartCount,
        ["kernel_version"] = vm.KernelVersion,
        ["heartbeats_missed"] = vm.HeartbeatsMissed,
        ["guest"] = vm.Guest is { } guest ? new JsonObject
        {
            ["uptime_seconds"] = Math.Round(guest.Uptime.TotalSeconds, 3),
            ["load"] = new JsonArray(guest.Load1, guest.Load5, guest.Load15),
            ["memory_available_bytes"] = guest.MemoryAvailableBytes,
            ["memory_total_bytes"] = guest.MemoryTotalBytes,
        } : null,
    };

    public static JsonObject Disk(DiskImageDetails disk) => new()
    {
        ["name"] = disk.Name,
        ["path"] = disk.Path,
        ["size_bytes"] = disk.SizeBytes,
    };

    public static JsonObject Lifecycle(VmLifecycleEvent e, DateTimeOffset at) => new()
    {
        ["time"] = Time(at),
        ["type"] = "lifecycle",
        ["vm"] = e.Name,
        ["owner"] = e.OwnerId,
        ["event"] = LifecycleWord(e.Kind),
        ["cid"] = e.Cid,
        ["stop_reason"] = e.StopReason,
        ["failure_reason"] = e.FailureReason,
    };

    public static JsonObject Properties(string vm, IReadOnlyDictionary<string, object> changed, DateTimeOffset at)
    {
        var properties = new JsonObject();
        foreach (var (name, value) in changed.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            properties[name] = JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
        return new JsonObject { ["time"] = Time(at), ["type"] = "properties", ["vm"] = vm, ["changed"] = properties };
    }

    public static string LifecycleWord(VmLifecycleEventKind kind) => kind switch
    {
        VmLifecycleEventKind.StartingUp => "starting",
        VmLifecycleEventKind.Started => "started",
        VmLifecycleEventKind.Stopping => "stopping",
        _ => "stopped",
    };

    /// <summary>Pretty JSON for whole documents.</summary>
    public static string Document(JsonNode node) => node.ToJsonString(Indented);

    /// <summary>One line per event (JSON Lines) for streams.</summary>
    public static string Line(JsonNode node) => node.ToJsonString();

    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
