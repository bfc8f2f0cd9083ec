using System.Text.Json.Serialization;

namespace Fraud.Registry;

/// <summary>Source-generated JSON for run records (snake_case; NaN metrics allowed, written as "NaN").</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunRecord))]
[JsonSerializable(typeof(List<RunRecord>))]
[JsonSerializable(typeof(PrCurve))]
public sealed partial class RunJsonContext : JsonSerializerContext
{
}
