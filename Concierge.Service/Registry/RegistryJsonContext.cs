using System.Text.Json.Serialization;

namespace Concierge.Service.Registry;

/// <summary>Source-generated JSON for the registry file (no reflection, so trimming keeps working).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    UseStringEnumConverter = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegistryDocument))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
