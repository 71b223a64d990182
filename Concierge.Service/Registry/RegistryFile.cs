using System.Globalization;
using System.Text.Json;
using Concierge.Service.Storage;

namespace Concierge.Service.Registry;

/// <summary>
/// Reads and atomically writes the registry's JSON file. Reading stops at the envelope (version
/// and list): each record comes back still as JSON, so <see cref="RegistryRecords"/> can set aside
/// one record of the wrong shape without losing the others.
/// </summary>
internal static class RegistryFile
{
    // The envelope's names as RegistryJsonContext writes them (camelCase).
    private const string VersionProperty = "version";
    private const string VmsProperty = "vms";

    /// <summary>The records of the file at <paramref name="path"/>, none when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a registry we can read.</exception>
    public static IReadOnlyList<JsonElement> LoadRecords(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid registry JSON: {e.Message}", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path} holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not a registry object");
        }
        // Compared as written: this build writes the number alone.
        var version = root.TryGetProperty(VersionProperty, out var value) ? value.GetRawText() : "(none)";
        if (version != RegistryDocument.CurrentVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"{path} has unsupported registry version {version}");
        }
        if (!root.TryGetProperty(VmsProperty, out var vms) || vms.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path} has no list of VMs");
        }
        return [.. vms.EnumerateArray()];
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="document"/>.</summary>
    public static void Save(string path, RegistryDocument document) =>
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(document, RegistryJsonContext.Default.RegistryDocument));
}
