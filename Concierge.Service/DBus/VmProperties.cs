using Concierge.Contracts;
using Concierge.Service.Errors;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus;

/// <summary>
/// The properties of <c>org.chromium.VmConcierge.Vm</c>, computed from a <see cref="VmView"/>.
/// Enums are lowercase strings (state "running", health "healthy", stop reason "stop-requested");
/// absent values are 0 or "".
/// </summary>
public static class VmProperties
{
    // One value per property the contract declares, checked when the type loads: a property added
    // to the XML without a value here (or the other way round) stops the service at start.
    private static readonly Dictionary<string, Func<VmView?, VariantValue>> Values = MatchingTheContract(new(StringComparer.Ordinal)
    {
        ["Name"] = v => VariantValue.String(v?.Key.Name ?? ""),
        ["Owner"] = v => VariantValue.UInt32(v?.Key.Owner ?? 0),
        ["State"] = v => VariantValue.String(Kebab(v?.Status.State ?? VmState.Stopped)),
        ["Health"] = v => VariantValue.String(Kebab(v?.Status.Health ?? VmHealth.Unknown)),
        ["Cid"] = v => VariantValue.UInt32(v?.Cid ?? 0),
        ["Vcpus"] = v => VariantValue.UInt32(v?.Definition.Vcpus ?? 0),
        ["MemoryMiB"] = v => VariantValue.UInt64(v?.Definition.MemoryMiB ?? 0),
        ["StartedUsec"] = v => VariantValue.UInt64((ulong)ChromeOsMessages.Usec(v?.Status.StartedAt)),
        ["BootDurationUsec"] = v => VariantValue.UInt64(v?.Status.BootDuration is { } d ? (ulong)d.TotalMicroseconds : 0),
        ["LastHeartbeatUsec"] = v => VariantValue.UInt64((ulong)ChromeOsMessages.Usec(v?.Status.LastHeartbeatAt)),
        ["StopReason"] = v => VariantValue.String(v?.Status.StopReason is { } r ? Kebab(r) : ""),
        ["FailureReason"] = v => VariantValue.String(v?.Status.FailureReason ?? ""),
        ["RestartCount"] = v => VariantValue.UInt32((uint)Math.Max(0, v?.Status.RestartCount ?? 0)),
        ["KernelVersion"] = v => VariantValue.String(v?.Status.KernelVersion ?? ""),
        // The guest's own word from its last heartbeat (0 before one): they change every beat, so
        // like LastHeartbeatUsec they announce no changes and are read on demand.
        ["GuestUptimeUsec"] = v => VariantValue.UInt64(Vitals(v) is { } g ? (ulong)g.Uptime.TotalMicroseconds : 0),
        ["GuestLoad1"] = v => VariantValue.Double(Vitals(v)?.Load1 ?? 0),
        ["GuestLoad5"] = v => VariantValue.Double(Vitals(v)?.Load5 ?? 0),
        ["GuestLoad15"] = v => VariantValue.Double(Vitals(v)?.Load15 ?? 0),
        ["GuestMemoryAvailableBytes"] = v => VariantValue.UInt64(Vitals(v)?.MemoryAvailableBytes ?? 0),
        ["GuestMemoryTotalBytes"] = v => VariantValue.UInt64(Vitals(v)?.MemoryTotalBytes ?? 0),
        ["HeartbeatsMissed"] = v => VariantValue.UInt64(v?.Status.HeartbeatsMissed ?? 0),
    });

    private static GuestVitals? Vitals(VmView? view) => view?.Status.GuestVitals;

    /// <summary>The value of declared property <paramref name="name"/> for <paramref name="view"/> (null: the VM is gone).</summary>
    public static VariantValue Value(VmView? view, string name) =>
        Values.TryGetValue(name, out var value) ? value(view)
            : throw new CallRefusedException(DBusErrorNames.UnknownProperty, $"{VmInterface.InterfaceName} has no property {name}");

    /// <summary>Every property that announces its changes (as the contract says), with its value for <paramref name="view"/>.</summary>
    public static Dictionary<string, VariantValue> Announced(VmView view) =>
        VmInterface.Declared.Properties.Where(p => p.EmitsChanges).ToDictionary(p => p.Name, p => Value(view, p.Name));

    private static Dictionary<string, Func<VmView?, VariantValue>> MatchingTheContract(Dictionary<string, Func<VmView?, VariantValue>> values)
    {
        var declared = VmInterface.Declared.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (!declared.SetEquals(values.Keys))
        {
            throw new InvalidOperationException($"{VmInterface.InterfaceName}: declared [{string.Join(", ", declared.Order())}], valued [{string.Join(", ", values.Keys.Order())}]");
        }
        return values;
    }

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
