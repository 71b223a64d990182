using System.Text.Json;
using Concierge.Service.Storage;

namespace Concierge.Service.Registry;

/// <summary>Reads and atomically writes the registry's JSON file.</summary>
internal static class RegistryFile
{
    /// <summary>The document at <paramref name="path"/>, or an empty one when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a registry we can read.</exception>
    public static RegistryDocument Load(string path)
    {
        if (!File.Exists(path))
        {
            return new RegistryDocument();
        }
        RegistryDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(File.ReadAllBytes(path), RegistryJsonContext.Default.RegistryDocument);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid registry JSON: {e.Message}", e);
        }
        if (document is null || document.Version != RegistryDocument.CurrentVersion)
        {
            throw new InvalidDataException($"{path} has unsupported registry version {document?.Version}");
        }
        // JSON may say "vms": null although the type says it cannot be.
        return document.Vms is null ? throw new InvalidDataException($"{path} has no list of VMs") : document;
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="document"/>.</summary>
    public static void Save(string path, RegistryDocument document) =>
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(document, RegistryJsonContext.Default.RegistryDocument));
}
