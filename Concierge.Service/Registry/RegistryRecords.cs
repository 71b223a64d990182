using System.Text.Json;
using System.Text.Json.Nodes;
using Concierge.Service.Naming;

namespace Concierge.Service.Registry;

/// <summary>
/// The records of a registry file that the service can use. A file damaged by hand or by a bug
/// can hold records of the wrong shape (no owner, name or definition, wrong types, nulls, a field
/// twice, numbers no enum names), unusable names or the same (owner, name) twice; each such record
/// is set aside with the reason (the first record of a key wins), so one bad record never keeps
/// the service from starting nor takes the good records with it. A definition field a record does
/// not name (a file older than the field) has its default.
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

    // The record's name for its definition, as RegistryJsonContext writes it (camelCase).
    private const string DefinitionProperty = "definition";

    /// <summary>
    /// What a definition holds for each field it does not name. The source generator sets every
    /// init-only property, so a field missing from the JSON would get null or 0 instead of its
    /// initializer, and a record written before the field existed would load broken.
    /// </summary>
    private static readonly JsonObject DefinitionDefaults =
        JsonSerializer.SerializeToNode(new VmDefinition(), RegistryJsonContext.Default.VmDefinition)!.AsObject();

    /// <summary>Deserializes one record, its definition's missing fields at their defaults; the reason when it is not one.</summary>
    private static string? Read(JsonElement element, out VmRecord? record)
    {
        try
        {
            // A name twice is refused here: which of the two the service wrote cannot be known.
            var node = JsonNode.Parse(element.GetRawText(), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            if (node is JsonObject { } fields && fields[DefinitionProperty] is JsonObject definition)
            {
                foreach (var (name, value) in DefinitionDefaults)
                {
                    if (!definition.ContainsKey(name))
                    {
                        definition[name] = value?.DeepClone();
                    }
                }
            }
            record = node.Deserialize(RegistryJsonContext.Default.VmRecord);
        }
        catch (JsonException e)
        {
            record = null;
            return e.Message;
        }
        return record is null ? "null" : null;
    }

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
        if (record.Definition.Disks.Any(d => d is null))
        {
            return $"VM {record.Key} has a disk that is null";
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
