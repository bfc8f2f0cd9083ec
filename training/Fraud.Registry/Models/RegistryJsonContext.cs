using System.Text.Json.Serialization;

namespace Fraud.Registry;

/// <summary>Source-generated JSON for the registry's documents (snake_case like the model card).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelVersionInfo))]
[JsonSerializable(typeof(AliasInfo))]
[JsonSerializable(typeof(List<ModelVersionInfo>))]
[JsonSerializable(typeof(HoldoutInfo))]
[JsonSerializable(typeof(HoldoutScore))]
public sealed partial class RegistryJsonContext : JsonSerializerContext
{
}
