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
public sealed partial class ModelJsonContext : JsonSerializerContext;

/// <summary>The same shapes written indented, for the files people read (card, metrics); the model file stays compact.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelCard))]
[JsonSerializable(typeof(EvaluationMetrics))]
internal sealed partial class IndentedJsonContext : JsonSerializerContext;
