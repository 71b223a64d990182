using System.Text.Json.Serialization;

namespace Concierge.Service.Registry;

/// <summary>Source-generated JSON for the registry file (no reflection, so trimming keeps working).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    UseStringEnumConverter = true,
    // A null where the type says none (a name, a definition, the kernel parameters) is a damaged record, refused as it is read.
    RespectNullableAnnotations = true,
    // A disk without its path is one too (a missing constructor parameter would be null).
    RespectRequiredConstructorParameters = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegistryDocument))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
