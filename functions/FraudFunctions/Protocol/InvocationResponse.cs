using System.Text.Json.Serialization;

namespace FraudFunctions.Protocol;

/// <summary>
/// The answer to a non-forwarded invocation. Outputs are keyed by output binding name and are always JSON objects,
/// never strings, because the host tries to base64-decode string outputs of non-binary bindings.
/// <see cref="Logs"/> become Application Insights traces, so they never hold basket contents.
/// </summary>
public sealed class InvocationResponse<TOutputs, TReturn>
    where TOutputs : class
{
    // The host's field names are PascalCase, unlike the camelCase of everything inside them.
    [JsonPropertyName("Outputs")]
    public required TOutputs Outputs { get; init; }

    [JsonPropertyName("Logs")]
    public IReadOnlyList<string> Logs { get; init; } = [];

    [JsonPropertyName("ReturnValue")]
    public TReturn? ReturnValue { get; init; }
}

/// <summary>Outputs of a function with no output bindings.</summary>
public sealed class NoOutputs
{
    public static NoOutputs Instance { get; } = new();
}
