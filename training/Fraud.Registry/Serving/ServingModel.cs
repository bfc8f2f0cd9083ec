using Fraud.Model;

namespace Fraud.Registry.Serving;

/// <summary>An immutable snapshot of the model being served; a request keeps using the snapshot it started with.</summary>
public sealed record ServingModel(FraudModel Model, string Version, ModelCard Card, DateTimeOffset LoadedAt)
{
    /// <summary>The registry model name the version belongs to.</summary>
    public string ModelName { get; init; } = ModelRegistry.DefaultModelName;
}

/// <summary>How the provider is doing, for health checks and telemetry.</summary>
public enum ProviderState
{
    /// <summary>Not started, or the first load has not finished.</summary>
    Starting,

    /// <summary>Serving the current champion; the last check succeeded.</summary>
    Healthy,

    /// <summary>The registry has no champion yet: nothing to serve.</summary>
    NoChampion,

    /// <summary>The last check or load failed; the last good model (if any) is still served.</summary>
    Degraded,
}

/// <summary>A snapshot of the provider's state.</summary>
/// <param name="State">Overall state.</param>
/// <param name="Version">The version being served, if any.</param>
/// <param name="LastCheck">When the alias was last checked (successfully or not).</param>
/// <param name="LastError">The last failure's message (never basket data), kept until a check succeeds.</param>
/// <param name="LastErrorAt">When that failure happened.</param>
/// <param name="ConsecutiveFailures">Failed checks in a row.</param>
public sealed record ProviderStatus(
    ProviderState State,
    string? Version,
    DateTimeOffset? LastCheck,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int ConsecutiveFailures)
{
    public static ProviderStatus Initial { get; } = new(ProviderState.Starting, null, null, null, null, 0);

    /// <summary>True when a model can be served (healthy, or degraded with a last good model).</summary>
    public bool CanServe => Version is not null;
}
