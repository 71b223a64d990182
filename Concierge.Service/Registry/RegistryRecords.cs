using Concierge.Service.Naming;

namespace Concierge.Service.Registry;

/// <summary>
/// The records of a registry file that the service can use. A file damaged by hand or by a bug
/// can hold null entries, unusable names or the same (owner, name) twice; each such record is set
/// aside with the reason (the first record of a key wins), so one bad record never keeps the
/// service from starting.
/// </summary>
internal static class RegistryRecords
{
    /// <summary>The usable records by key; <paramref name="setAside"/> says what was left out and why.</summary>
    public static Dictionary<VmKey, VmRecord> Select(IEnumerable<VmRecord?> records, out List<string> setAside)
    {
        var usable = new Dictionary<VmKey, VmRecord>();
        setAside = [];
        var index = 0;
        foreach (var record in records)
        {
            if (Problem(record, usable) is { } problem)
            {
                setAside.Add($"record {index}: {problem}");
            }
            else
            {
                usable.Add(record!.Key, record);
            }
            index++;
        }
        return usable;
    }

    private static string? Problem(VmRecord? record, Dictionary<VmKey, VmRecord> usable)
    {
        if (record is null)
        {
            return "null";
        }
        if (!VmNames.IsValid(record.Name, out var nameProblem))
        {
            return $"unusable name: {nameProblem}";
        }
        if (record.Definition is null)
        {
            return $"VM {record.Key} has no definition";
        }
        return usable.ContainsKey(record.Key) ? $"VM {record.Key} is listed more than once" : null;
    }
}
