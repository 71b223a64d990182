using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;

namespace Concierge.Service.DBus;

/// <summary>
/// The properties of <c>org.chromium.VmConcierge.Vm</c>, computed from a <see cref="VmView"/>.
/// Enums are lowercase strings (state "running", health "healthy", stop reason "stop-requested");
/// absent values are 0 or "".
/// </summary>
public static class VmProperties
{
    private static readonly (PropertyDescription Description, Func<VmView?, Variant> Value)[] All =
    [
        (new("Name", "s", PropertyAccess.Read, "const"), v => Variant.FromString(v?.Key.Name ?? "")),
        (new("Owner", "u", PropertyAccess.Read, "const"), v => Variant.FromUInt32(v?.Key.Owner ?? 0)),
        (new("State", "s", PropertyAccess.Read), v => Variant.FromString(Kebab(v?.Status.State ?? VmState.Stopped))),
        (new("Health", "s", PropertyAccess.Read), v => Variant.FromString(Kebab(v?.Status.Health ?? VmHealth.Unknown))),
        (new("Cid", "u", PropertyAccess.Read), v => Variant.FromUInt32(v?.Cid ?? 0)),
        (new("Vcpus", "u", PropertyAccess.Read), v => Variant.FromUInt32(v?.Definition.Vcpus ?? 0)),
        (new("MemoryMiB", "t", PropertyAccess.Read), v => Variant.FromUInt64(v?.Definition.MemoryMiB ?? 0)),
        (new("StartedUsec", "t", PropertyAccess.Read), v => Variant.FromUInt64((ulong)ChromeOsMessages.Usec(v?.Status.StartedAt))),
        (new("BootDurationUsec", "t", PropertyAccess.Read), v => Variant.FromUInt64(v?.Status.BootDuration is { } d ? (ulong)d.TotalMicroseconds : 0)),
        (new("LastHeartbeatUsec", "t", PropertyAccess.Read, "false"), v => Variant.FromUInt64((ulong)ChromeOsMessages.Usec(v?.Status.LastHeartbeatAt))),
        (new("StopReason", "s", PropertyAccess.Read), v => Variant.FromString(v?.Status.StopReason is { } r ? Kebab(r) : "")),
        (new("FailureReason", "s", PropertyAccess.Read), v => Variant.FromString(v?.Status.FailureReason ?? "")),
        (new("RestartCount", "u", PropertyAccess.Read), v => Variant.FromUInt32((uint)Math.Max(0, v?.Status.RestartCount ?? 0))),
        (new("KernelVersion", "s", PropertyAccess.Read), v => Variant.FromString(v?.Status.KernelVersion ?? "")),
        // The guest's own word from its last heartbeat (0 before one): they change every beat, so
        // like LastHeartbeatUsec they announce no changes and are read on demand.
        (new("GuestUptimeUsec", "t", PropertyAccess.Read, "false"), v => Variant.FromUInt64(Vitals(v) is { } g ? (ulong)g.Uptime.TotalMicroseconds : 0)),
        (new("GuestLoad1", "d", PropertyAccess.Read, "false"), v => Variant.FromDouble(Vitals(v)?.Load1 ?? 0)),
        (new("GuestLoad5", "d", PropertyAccess.Read, "false"), v => Variant.FromDouble(Vitals(v)?.Load5 ?? 0)),
        (new("GuestLoad15", "d", PropertyAccess.Read, "false"), v => Variant.FromDouble(Vitals(v)?.Load15 ?? 0)),
        (new("GuestMemoryAvailableBytes", "t", PropertyAccess.Read, "false"), v => Variant.FromUInt64(Vitals(v)?.MemoryAvailableBytes ?? 0)),
        (new("GuestMemoryTotalBytes", "t", PropertyAccess.Read, "false"), v => Variant.FromUInt64(Vitals(v)?.MemoryTotalBytes ?? 0)),
        (new("HeartbeatsMissed", "t", PropertyAccess.Read, "false"), v => Variant.FromUInt64(v?.Status.HeartbeatsMissed ?? 0)),
    ];

    private static GuestVitals? Vitals(VmView? view) => view?.Status.GuestVitals;

    /// <summary>The property declarations, in introspection order.</summary>
    public static IReadOnlyList<PropertyDescription> Descriptions { get; } = [.. All.Select(p => p.Description)];

    /// <summary>The value of property <paramref name="name"/> for <paramref name="view"/>.</summary>
    public static Variant Value(VmView? view, string name) =>
        All.First(p => p.Description.Name == name).Value(view);

    /// <summary>Every property that announces its changes, with its value for <paramref name="view"/>.</summary>
    public static Dictionary<string, Variant> Announced(VmView view) =>
        All.Where(p => p.Description.EmitsChangedSignal is null).ToDictionary(p => p.Description.Name, p => p.Value(view));

    /// <summary>"StopAllRequested" → "stop-all-requested".</summary>
    public static string Kebab<T>(T value)
        where T : struct, Enum
    {
        var text = value.ToString();
        var builder = new System.Text.StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsUpper(text[i]) && i > 0)
            {
                builder.Append('-');
            }
            builder.Append(char.ToLowerInvariant(text[i]));
        }
        return builder.ToString();
    }
}
