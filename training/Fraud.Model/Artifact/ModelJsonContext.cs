using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Serialization;

namespace Fraud.Model.Artifact;

/// <summary>Source-generated JSON for the model file, the card and evaluation output (snake_case, no reflection at start-up).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = false,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelArtifactDto))]
[JsonSerializable(typeof(ModelCard))]
[JsonSerializable(typeof(EvaluationMetrics))]
public sealed partial class ModelJsonContext : JsonSerializerContext
{
    private static readonly Lazy<JsonSerializerOptions> IndentedOptions = new(static () => new JsonSerializerOptions(Default.Options) { WriteIndented = true });

    /// <summary>Type info that writes indented JSON, for files people read (card, metrics).</summary>
    internal static JsonTypeInfo<T> Indented<T>() => (JsonTypeInfo<T>)IndentedOptions.Value.GetTypeInfo(typeof(T));
}
