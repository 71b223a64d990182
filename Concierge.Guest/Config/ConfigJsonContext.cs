using System.Text.Json;
using System.Text.Json.Serialization;

namespace Concierge.Guest.Config;

/// <summary>Source-generated JSON (de)serialization: no reflection, so it works under NativeAOT.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(InitConfig))]
[JsonSerializable(typeof(ContainerConfig))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
