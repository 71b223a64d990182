using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Concierge.Service.Naming;

namespace Concierge.Service.Registry;

/// <summary>
/// The records of a registry file that the service can use. A file damaged by hand or by a bug
/// can hold records of the wrong shape (missing fields, wrong types, nulls, numbers no enum
/// names), unusable names or the same (owner, name) twice; each such record is set aside with the
/// reason (the first record of a key wins), so one bad record never keeps the service from
/// starting nor takes the good records with it.
/// </summary>
internal static class RegistryRecords
{
    /// <summary>The usable records by key; <paramref name="setAside"/> says what was left out and why.</summary>
    public static Dictionary<VmKey, VmRecord> Select(IReadOnlyList<JsonElement> records, out List<string> setAside)
    {
        var usable = new Dictionary<VmKey, VmRecord>();
        setAside = [];
        for (var index = 0; index < records.Count; index++)
        {
            if (Read(records[index], out var record) is { } unreadable)
            {
                setAside.Add($"record {index}: {unreadable}");
            }
            else if (Problem(record!, usable) is { } problem)
            {
                setAside.Add($"record {index}: {problem}");
            }
            else
            {
                usable.Add(record!.Key, record);
            }
        }
        return usable;
    }

    /// <summary>Deserializes one record; the reason when it is not one.</summary>
    private static string? Read(JsonElement element, out VmRecord? record)
    {
        try
        {
            record = element.Deserialize(RegistryJsonContext.Default.VmRecord);
        }
        catch (JsonException e)
        {
            record = null;
            return e.Message;
        }
        if (record is null)
        {
            return "null";
        }
        var missing = MissingReference(record, RegistryJsonContext.Default.VmRecord)
            ?? MissingReference(record.Definition, RegistryJsonContext.Default.VmDefinition);
        return missing is null ? null : $"VM {record.Key} has no {missing}";
    }

    /// <summary>
    /// The name of a property that the type says is never null but is. The source generator sets
    /// every init-only property, so one missing from the JSON gets null (or 0), not its initializer;
    /// a missing number is refused later like any bad value, a missing reference would be a crash.
    /// </summary>
    private static string? MissingReference<T>(T value, JsonTypeInfo<T> type) =>
        type.Properties.FirstOrDefault(p => !p.IsGetNullable && p.Get is { } get && get(value!) is null)?.Name;

    private static string? Problem(VmRecord record, Dictionary<VmKey, VmRecord> usable)
    {
        if (!VmNames.IsValid(record.Name, out var nameProblem))
        {
            return $"unusable name: {nameProblem}";
        }
        // Nullable annotations are not checked inside lists, and enums read numbers as well as names.
        if (record.Definition.KernelParams.Any(p => p is null))
        {
            return $"VM {record.Key} has a kernel parameter that is null";
        }
        if (!Enum.IsDefined(record.State))
        {
            return $"VM {record.Key} has unknown state {(int)record.State}";
        }
        if (record.StopReason is { } reason && !Enum.IsDefined(reason))
        {
            return $"VM {record.Key} has unknown stop reason {(int)reason}";
        }
        if (!Enum.IsDefined(record.Definition.RestartPolicy))
        {
            return $"VM {record.Key} has unknown restart policy {(int)record.Definition.RestartPolicy}";
        }
        return usable.ContainsKey(record.Key) ? $"VM {record.Key} is listed more than once" : null;
    }
}
