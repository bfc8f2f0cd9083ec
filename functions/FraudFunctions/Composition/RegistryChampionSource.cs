using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Fraud.Registry.Serving;
using FraudFunctions.Scoring;

namespace FraudFunctions.Composition;

/// <summary>
/// Serves the registry's champion through <see cref="ChampionProvider"/> (alias polled every
/// <c>Fraud__ModelPollSeconds</c>, ETag-guarded, a bad artifact never replaces a good one). The snapshot handed to
/// requests is rebuilt only when the provider's model changes, so the hot path is one reference comparison.
/// </summary>
public sealed class RegistryChampionSource(ChampionProvider provider, ModelRegistry registry, FraudMetrics metrics, BootstrapProgress bootstrap) : IChampionSource, IHostedService
{
    private Cache? _cache;

    public ChampionSnapshot? Current
    {
        get
        {
            var serving = provider.Current;
            var cache = _cache;
            if (cache is not null && ReferenceEquals(serving, cache.Serving))
            {
                return cache.Snapshot;
            }

            var snapshot = serving is null
                ? null
                : new ChampionSnapshot(
                    serving.Version,
                    new FraudModelScorer(serving.Model),
                    FraudModelScorer.Summarize(registry.ModelName, serving.Version, serving.Model, serving.Card),
                    serving.LoadedAt);
            _cache = new Cache(serving, snapshot);
            return snapshot;
        }
    }

    public ChampionStatus Status
    {
        get
        {
            var status = provider.Status;
            if (provider.Current is null && bootstrap.Activity is { } activity)
            {
                // The 503 of /api/score and /api/health says why there is no model yet and how far it has got.
                return new ChampionStatus(BootstrapProgress.TrainingState, char.ToUpperInvariant(activity[0]) + activity[1..] + ".", status.LastCheck);
            }

            var state = status.State switch
            {
                ProviderState.Starting => "starting",
                ProviderState.Healthy => "ready",
                ProviderState.NoChampion => "no-champion",
                _ => "degraded",
            };
            return new ChampionStatus(state, status.LastError, status.LastCheck);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.SetModelTrainedAtSource(() => provider.Current?.Card.TrainedAt);
        provider.ReloadFailed += OnReloadFailed;
        provider.ModelChanged += OnModelLoaded;
        await provider.StartAsync(cancellationToken);
        // ModelChanged is raised for swaps only; the first champion is announced here.
        if (provider.Current is { } first)
        {
            OnModelLoaded(first);
        }
    }

    // The container disposes the provider (stopping its poll loop) when the host shuts down.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        provider.ReloadFailed -= OnReloadFailed;
        provider.ModelChanged -= OnModelLoaded;
        return Task.CompletedTask;
    }

    private void OnModelLoaded(ServingModel model) => metrics.RaiseEvent(
        FraudMetrics.ModelLoadedEvent,
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = registry.ModelName,
            ["version"] = model.Version,
        });

    private void OnReloadFailed(Exception error) => metrics.RaiseEvent(
        FraudMetrics.ModelReloadFailedEvent,
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = registry.ModelName,
            ["servingVersion"] = provider.Current?.Version ?? "none",
            ["error"] = error.Message,
        });

    private sealed record Cache(ServingModel? Serving, ChampionSnapshot? Snapshot);
}
