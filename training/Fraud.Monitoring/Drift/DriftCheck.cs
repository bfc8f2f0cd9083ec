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

        var members = Math.Clamp(reference.MemberCount, 1, model.Members.Count);
        var scores = new double[baskets.Count];
        var features = Featurize(model, baskets, members, scores, threads);
        bool?[]? known = null;
        if (labels is not null)
        {
            known = new bool?[baskets.Count];
            for (var i = 0; i < baskets.Count; i++)
            {
                known[i] = labels.TryGetValue(baskets[i].Id, out var label) ? label.FraudFlag : null;
            }
        }

        ClassifierTestResult? classifier = null;
        if (baskets.Count >= _options.MinRows && reference.Sample.Count > 0)
        {
            var sample = FeaturizeSample(model, reference, threads);
            classifier = ClassifierTwoSampleTest.Run(sample, features, model.FeatureNames, _options with { Threads = threads });
        }

        var report = DriftCalculator.Compare(reference, baskets, features, scores, _options, known, classifier, card.Importance);
        if (reference.Sample.Count == 0)
        {
            report.Warnings.Add("The model card has no reference sample (trained before the classifier test existed): the verdict rests on PSI alone. Retrain to get it.");
        }

        report.GeneratedAt = _clock.GetUtcNow();
        report.Source = source;
        report.ModelVersion = modelVersion;
        Emit(report);
        return report;
    }

    /// <summary>Feature rows of <paramref name="baskets"/> in the model's column order (the first member's features); rows are independent, so threads don't change the result.</summary>
    public static FeatureMatrix Featurize(FraudModel model, IReadOnlyList<Basket> baskets, int threads = 0) =>
        Featurize(model, baskets, 1, new double[baskets?.Count ?? 0], threads);

    /// <summary>
    /// Features and calibrated single-member scores as the card's reference profile holds them: basket r is featurized
    /// and scored by member <see cref="MemberOf"/>(r), matching the reference's even mix of members (each
    /// reference row comes from the member that did not learn from it).
    /// </summary>
    public static FeatureMatrix Featurize(FraudModel model, IReadOnlyList<Basket> baskets, int members, double[] scores, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(scores);
        var matrix = new FeatureMatrix(baskets.Count, model.FeatureCount);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads };
        const int Chunk = 1024;
        Parallel.For(0, (baskets.Count + Chunk - 1) / Chunk, parallel, c =>
        {
            var end = Math.Min(baskets.Count, (c + 1) * Chunk);
            for (var r = c * Chunk; r < end; r++)
            {
                var member = model.Members[MemberOf(r, members)];
                var row = matrix.Row(r);
                member.Featurizer.Featurize(baskets[r], row);
                scores[r] = model.Calibrate(member.Trees.PredictRaw(row));
            }
        });
        return matrix;
    }

    /// <summary>
    /// The member that featurizes current basket <paramref name="row"/>: a fixed hash of the row, not row mod k, so
    /// that any subsample of the rows still mixes the members evenly; with row mod k
    /// a stride that is a multiple of k picked one member's rows only, and its encodings told the sample apart.
    /// </summary>
    public static int MemberOf(int row, int members)
    {
        var h = unchecked((ulong)row * 0x9E3779B97F4A7C15UL);
        h ^= h >> 31;
        return (int)(h % (ulong)members);
    }

    private static FeatureMatrix FeaturizeSample(FraudModel model, ReferenceProfile reference, int threads)
    {
        var sample = reference.Sample;
        var matrix = new FeatureMatrix(sample.Count, model.FeatureCount);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads };
        Parallel.For(0, sample.Count, parallel, r =>
        {
            var member = r < reference.SampleMembers.Length ? Math.Clamp(reference.SampleMembers[r], 0, model.Members.Count - 1) : 0;
            model.Members[member].Featurizer.Featurize(sample[r], matrix.Row(r));
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
                ["verdict"] = report.Verdict,
                ["reason"] = report.Reason,
                ["classifierAuc"] = report.Classifier is { Skipped: null } c ? c.Auc.ToString("F4", CultureInfo.InvariantCulture) : string.Empty,
                ["scorePsi"] = report.ScorePsi.ToString("F4", CultureInfo.InvariantCulture),
                ["driftedShare"] = report.DriftedShare.ToString("F3", CultureInfo.InvariantCulture),
                ["datasetDriftBasis"] = report.DatasetDriftBasis,
                ["topFeatures"] = string.Join(',', (report.Classifier?.TopFeatures.Select(f => f.Name) ?? []).Concat(report.Inputs.Concat(report.Features).Where(f => f.Drifted).Select(f => f.Name)).Distinct(StringComparer.Ordinal).Take(5)),
            });
        }
    }
}
