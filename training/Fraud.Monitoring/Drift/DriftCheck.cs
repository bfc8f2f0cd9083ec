using System.Globalization;
using Fraud.Baskets;
using Fraud.Learning;
using Fraud.Model;
using Fraud.Model.Drift;
using Fraud.Monitoring.Telemetry;

namespace Fraud.Monitoring;

/// <summary>
/// The drift check as the job and the CLI run it: featurize current baskets with the serving model, re-score
/// them with it (so the score distribution is comparable with the card's reference even when the window mixes
/// model versions), compare with the card's <see cref="ReferenceProfile"/>, then record the PSI gauges and the
/// fraud rate and raise <c>DriftAlert</c> when the report says so.
/// </summary>
public sealed class DriftCheck(DriftOptions? options = null, FraudMetrics? metrics = null, TimeProvider? clock = null)
{
    private readonly DriftOptions _options = options ?? new DriftOptions();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Runs the check on <paramref name="baskets"/>; <paramref name="labels"/> (by basket id) adds the labelled fraud rate.</summary>
    public DriftReport Run(
        FraudModel model,
        ModelCard card,
        string modelVersion,
        IReadOnlyList<Basket> baskets,
        string source,
        IReadOnlyDictionary<string, FraudLabel>? labels = null,
        int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(baskets);
        var reference = card.Reference
            ?? throw new InvalidOperationException($"Model version {modelVersion} has no drift reference profile in its card; retrain it with this version of the trainer.");
        if (reference.Features.Count != model.FeatureCount)
        {
            throw new InvalidOperationException($"Model version {modelVersion}: the card's reference profile has {reference.Features.Count} features but the model has {model.FeatureCount}.");
        }

        var features = Featurize(model, baskets, threads);
        var scores = new double[baskets.Count];
        model.ScoreMany(baskets, scores, threads);
        bool?[]? known = null;
        if (labels is not null)
        {
            known = new bool?[baskets.Count];
            for (var i = 0; i < baskets.Count; i++)
            {
                known[i] = labels.TryGetValue(baskets[i].Id, out var label) ? label.FraudFlag : null;
            }
        }

        var report = DriftCalculator.Compare(reference, baskets, features, scores, _options, known);
        report.GeneratedAt = _clock.GetUtcNow();
        report.Source = source;
        report.ModelVersion = modelVersion;
        Emit(report);
        return report;
    }

    /// <summary>Feature rows of <paramref name="baskets"/> in the model's column order; rows are independent, so threads don't change the result.</summary>
    public static FeatureMatrix Featurize(FraudModel model, IReadOnlyList<Basket> baskets, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(baskets);
        var matrix = new FeatureMatrix(baskets.Count, model.FeatureCount);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads };
        const int Chunk = 1024;
        Parallel.For(0, (baskets.Count + Chunk - 1) / Chunk, parallel, c =>
        {
            var end = Math.Min(baskets.Count, (c + 1) * Chunk);
            for (var r = c * Chunk; r < end; r++)
            {
                model.Featurize(baskets[r], matrix.Row(r));
            }
        });
        return matrix;
    }

    private void Emit(DriftReport report)
    {
        if (metrics is null)
        {
            return;
        }

        metrics.DriftPsiGauge.Record(report.ScorePsi, new KeyValuePair<string, object?>(FraudMetrics.FeatureTag, DriftReport.ScoreFeatureName));
        foreach (var feature in report.Inputs.Concat(report.Features))
        {
            metrics.DriftPsiGauge.Record(feature.Psi, new KeyValuePair<string, object?>(FraudMetrics.FeatureTag, feature.Name));
        }

        if (report.CurrentRows > 0)
        {
            metrics.FraudRateGauge.Record(report.ObservedFraudRate);
        }

        if (report.Alert)
        {
            metrics.RaiseEvent(FraudMetrics.DriftAlertEvent, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["modelVersion"] = report.ModelVersion ?? string.Empty,
                ["source"] = report.Source,
                ["datasetDrift"] = report.DatasetDrift ? "true" : "false",
                ["scorePsi"] = report.ScorePsi.ToString("F4", CultureInfo.InvariantCulture),
                ["driftedShare"] = report.DriftedShare.ToString("F3", CultureInfo.InvariantCulture),
                ["datasetDriftBasis"] = report.DatasetDriftBasis,
                ["topFeatures"] = string.Join(',', report.Inputs.Concat(report.Features).Where(f => f.Drifted).Take(5).Select(f => f.Name)),
            });
        }
    }
}
