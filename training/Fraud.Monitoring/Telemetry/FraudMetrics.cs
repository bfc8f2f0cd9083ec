using System.Diagnostics.Metrics;

namespace Fraud.Monitoring.Telemetry;

/// <summary>
/// The one place that names every metric and custom event the product emits (docs/settings.md; the Bicep
/// alerts query these names). One instance owns the <see cref="Meter"/> <c>Fraud.Scoring</c> and its instruments;
/// the handler keeps a single instance for the process, tests create their own so their listeners see only
/// their own measurements. Exporters (Application Insights, OTLP, dotnet-counters) all read the same Meter.
/// </summary>
public sealed class FraudMetrics : IDisposable
{
    /// <summary>Name of the Meter, also what <c>dotnet-counters monitor --counters Fraud.Scoring</c> listens to.</summary>
    public const string MeterName = "Fraud.Scoring";

    /// <summary>Scoring requests (single baskets and batches), tag <see cref="SourceTag"/>.</summary>
    public const string Requests = "fraud.requests";

    /// <summary>Request duration in milliseconds.</summary>
    public const string RequestDuration = "fraud.request.duration";

    /// <summary>Decisions by kind, tag <see cref="DecisionTag"/> (approve, review, decline).</summary>
    public const string Decisions = "fraud.decisions";

    /// <summary>Distribution of the fraud probability of scored baskets.</summary>
    public const string Probability = "fraud.probability";

    /// <summary>Total basket amount scored.</summary>
    public const string AmountScored = "fraud.amount_scored";

    /// <summary>Baskets per batch.</summary>
    public const string BatchSize = "fraud.batch.size";

    /// <summary>PSI of one feature (tag <see cref="FeatureTag"/>) or of the score (<c>feature=score</c>) in the last drift check.</summary>
    public const string DriftPsi = "fraud.drift.psi";

    /// <summary>Days since the serving model was trained.</summary>
    public const string ModelAgeDays = "fraud.model.age_days";

    /// <summary>Prediction records dropped because the log's buffer was full.</summary>
    public const string PredictionLogDropped = "fraud.prediction_log.dropped";

    /// <summary>Share of scored baskets flagged (review or decline) in the last drift-check window.</summary>
    public const string FraudRate = "fraud.rate";

    /// <summary>Custom event: a model version became champion.</summary>
    public const string ModelPromotedEvent = "ModelPromoted";

    /// <summary>Custom event: the champion alias was moved back to an older version.</summary>
    public const string ModelRolledBackEvent = "ModelRolledBack";

    /// <summary>Custom event: a drift check crossed the alert level.</summary>
    public const string DriftAlertEvent = "DriftAlert";

    /// <summary>Custom event: a queued batch was rejected as malformed.</summary>
    public const string BatchRejectedEvent = "BatchRejected";

    /// <summary>Custom event: the serving model could not be reloaded.</summary>
    public const string ModelReloadFailedEvent = "ModelReloadFailed";

    /// <summary>Custom event: the handler loaded a model version to serve (at start-up or after a promotion).</summary>
    public const string ModelLoadedEvent = "ModelLoaded";

    /// <summary>
    /// Name of the handler's server span for single-basket scoring as Application Insights records it
    /// (AppRequests.Name = method and route template); the latency alert filters on it.
    /// </summary>
    public const string ScoreRequestName = "POST /api/score";

    /// <summary>Tag naming the decision kind on <see cref="Decisions"/>.</summary>
    public const string DecisionTag = "decision";

    /// <summary>Tag naming the feature on <see cref="DriftPsi"/>.</summary>
    public const string FeatureTag = "feature";

    /// <summary>Tag naming where a request came from (http, batch, queue).</summary>
    public const string SourceTag = "source";

    /// <summary>Every custom event name, for exporters and checks.</summary>
    public static IReadOnlyList<string> EventNames { get; } =
        [ModelPromotedEvent, ModelRolledBackEvent, DriftAlertEvent, BatchRejectedEvent, ModelReloadFailedEvent, ModelLoadedEvent];

    /// <summary>Every metric name, for exporters and checks.</summary>
    public static IReadOnlyList<string> MetricNames { get; } =
        [Requests, RequestDuration, Decisions, Probability, AmountScored, BatchSize, DriftPsi, ModelAgeDays, PredictionLogDropped, FraudRate];

    private Func<DateTimeOffset?>? _modelTrainedAt;

    public FraudMetrics(TimeProvider? timeProvider = null)
    {
        var clock = timeProvider ?? TimeProvider.System;
        Meter = new Meter(MeterName, "1.0");
        RequestCounter = Meter.CreateCounter<long>(Requests, "{request}", "Scoring requests.");
        RequestDurationHistogram = Meter.CreateHistogram<double>(RequestDuration, "ms", "Scoring request duration.");
        DecisionCounter = Meter.CreateCounter<long>(Decisions, "{basket}", "Decisions by kind.");
        ProbabilityHistogram = Meter.CreateHistogram<double>(Probability, null, "Fraud probability of scored baskets.");
        AmountScoredCounter = Meter.CreateCounter<double>(AmountScored, "{currency}", "Total basket amount scored.");
        BatchSizeHistogram = Meter.CreateHistogram<int>(BatchSize, "{basket}", "Baskets per batch.");
        DriftPsiGauge = Meter.CreateGauge<double>(DriftPsi, null, "Population stability index of a feature in the last drift check.");
        PredictionLogDroppedCounter = Meter.CreateCounter<long>(PredictionLogDropped, "{record}", "Prediction records dropped (buffer full, or still unwritten at shutdown).");
        FraudRateGauge = Meter.CreateGauge<double>(FraudRate, null, "Share of scored baskets flagged in the last drift-check window.");
        Meter.CreateObservableGauge(ModelAgeDays, () => ObserveModelAge(clock), "d", "Days since the serving model was trained.");
    }

    /// <summary>The Meter <c>Fraud.Scoring</c>; listeners match on this instance.</summary>
    public Meter Meter { get; }

    public Counter<long> RequestCounter { get; }

    public Histogram<double> RequestDurationHistogram { get; }

    public Counter<long> DecisionCounter { get; }

    public Histogram<double> ProbabilityHistogram { get; }

    public Counter<double> AmountScoredCounter { get; }

    public Histogram<int> BatchSizeHistogram { get; }

    public Gauge<double> DriftPsiGauge { get; }

    public Counter<long> PredictionLogDroppedCounter { get; }

    public Gauge<double> FraudRateGauge { get; }

    /// <summary>
    /// Raised for every custom event (<see cref="EventNames"/>). The handler's exporter forwards these to
    /// Application Insights; properties never carry basket contents.
    /// </summary>
    public event Action<string, IReadOnlyDictionary<string, string>>? EventRaised;

    /// <summary>Records one scored basket: its decision (lower-case kind), probability and amount.</summary>
    public void RecordScore(string decision, double probability, double amount)
    {
        DecisionCounter.Add(1, new KeyValuePair<string, object?>(DecisionTag, decision));
        ProbabilityHistogram.Record(probability);
        AmountScoredCounter.Add(amount);
    }

    /// <summary>Emits a custom event to every subscriber of <see cref="EventRaised"/>.</summary>
    public void RaiseEvent(string name, IReadOnlyDictionary<string, string> properties)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(properties);
        EventRaised?.Invoke(name, properties);
    }

    /// <summary>Where the model-age gauge reads the serving model's training time; null means no model yet.</summary>
    public void SetModelTrainedAtSource(Func<DateTimeOffset?> trainedAt) => _modelTrainedAt = trainedAt;

    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveModelAge(TimeProvider clock)
    {
        var trainedAt = _modelTrainedAt?.Invoke();
        if (trainedAt is null)
        {
            return [];
        }

        return [new Measurement<double>((clock.GetUtcNow() - trainedAt.Value).TotalDays)];
    }
}
