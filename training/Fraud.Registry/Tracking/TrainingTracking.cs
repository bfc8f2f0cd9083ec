using System.Text;
using System.Text.Json;
using Fraud.Learning;
using Fraud.Model;

namespace Fraud.Registry;

/// <summary>Records what a training produced into a run, the same way for `fraud train`, `fraud tune` and retraining.</summary>
public static class TrainingTracking
{
    /// <summary>Logs one boosting round (for a live learning curve from the trainer's round callback).</summary>
    public static void LogRound(this TrackedRun run, BoostingRound round)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(round);
        run.LogMetric("round_train_log_loss", round.TrainLogLoss, round.Round);
        if (round.ValidLogLoss is { } validLoss)
        {
            run.LogMetric("round_valid_log_loss", validLoss, round.Round);
        }

        if (round.ValidPrAuc is { } validPrAuc)
        {
            run.LogMetric("round_valid_pr_auc", validPrAuc, round.Round);
        }
    }

    /// <summary>
    /// Logs the card's parameters, held-out metrics, baseline, data fingerprint and timing, the learning curve, and
    /// saves card.json, report.html and (when given) the held-out PR curve as artifacts.
    /// </summary>
    public static async Task RecordResultAsync(this TrackedRun run, TrainingResult result, PrCurve? curve = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var card = result.Card;
        run.LogParameters(card.Parameters);
        LogMetrics(run, "test", card.Metrics);
        LogMetrics(run, "baseline", card.BaselineMetrics);
        run.LogMetric("trees", card.TreeCount);
        run.LogMetric("features", card.FeatureCount);
        run.LogTiming("train", TimeSpan.FromSeconds(card.TrainingSeconds));
        run.SetDataset(card.DataFingerprint, card.Rows, card.FraudRate);
        run.SetTag("model_id", card.ModelId);
        foreach (var round in result.LearningCurve)
        {
            run.LogRound(round);
        }

        await run.SaveArtifactAsync("card.json", card.ToJsonBytes(), "application/json", ct);
        await run.SaveArtifactAsync("report.html", Encoding.UTF8.GetBytes(result.ReportHtml), "text/html; charset=utf-8", ct);

        // Without a curve of its own (tune's holdout), a run keeps the test part's curve, so `runs compare` of two train
        // runs draws both (issue 19, item 4).
        if (curve is null && result.TestProbabilities.Length > 0 && result.TestLabels.Contains(true))
        {
            curve = PrCurveOf(result.TestProbabilities, result.TestLabels);
        }

        if (curve is not null)
        {
            await run.SaveArtifactAsync(PrCurve.ArtifactName, JsonSerializer.SerializeToUtf8Bytes(curve, RunJsonContext.Default.PrCurve), "application/json", ct);
        }
    }

    /// <summary>A PR curve of probabilities against labels, thinned to at most <paramref name="maxPoints"/> points.</summary>
    public static PrCurve PrCurveOf(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> labels, int maxPoints = 200) =>
        new([.. Metrics.PrecisionRecallCurve(probabilities, labels, maxPoints).Select(p => new PrPoint(p.Recall, p.Precision))]);

    private static void LogMetrics(TrackedRun run, string prefix, EvaluationMetrics metrics)
    {
        run.LogMetric(prefix + "_pr_auc", metrics.PrAuc);
        run.LogMetric(prefix + "_roc_auc", metrics.RocAuc);
        run.LogMetric(prefix + "_log_loss", metrics.LogLoss);
        run.LogMetric(prefix + "_brier", metrics.Brier);
        foreach (var threshold in metrics.Thresholds)
        {
            var name = prefix + "_" + threshold.Name.ToLowerInvariant();
            run.LogMetric(name + "_threshold", threshold.Threshold);
            run.LogMetric(name + "_precision", threshold.Precision);
            run.LogMetric(name + "_recall", threshold.Recall);
        }

        run.LogMetric(prefix + "_rows", metrics.Rows);
    }
}
