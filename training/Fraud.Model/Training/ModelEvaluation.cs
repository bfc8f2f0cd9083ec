using System.Text.Json;
using Fraud.Learning;
using Fraud.Model.Artifact;

namespace Fraud.Model;

/// <summary>Metrics of calibrated probabilities against labels, with precision/recall at each operating threshold.</summary>
public static class ModelEvaluation
{
    public static EvaluationMetrics Evaluate(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> labels, ModelThresholds? thresholds)
    {
        if (probabilities.Length != labels.Length)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities for {labels.Length} labels.", nameof(labels));
        }

        var y = new float[labels.Length];
        var frauds = 0;
        double brier = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            y[i] = labels[i] ? 1f : 0f;
            frauds += labels[i] ? 1 : 0;
            var error = probabilities[i] - y[i];
            brier += error * error;
        }

        var metrics = new EvaluationMetrics
        {
            Rows = labels.Length,
            Frauds = frauds,
            PrAuc = frauds == 0 ? double.NaN : Metrics.AveragePrecision(probabilities, y),
            RocAuc = frauds == 0 || frauds == labels.Length ? double.NaN : Metrics.RocAuc(probabilities, y),
            LogLoss = labels.Length == 0 ? double.NaN : Metrics.LogLoss(probabilities, y),
            Brier = labels.Length == 0 ? double.NaN : brier / labels.Length,
        };

        if (thresholds is not null)
        {
            metrics.Thresholds.Add(At("review", thresholds.Review, probabilities, y));
            metrics.Thresholds.Add(At("decline", thresholds.Decline, probabilities, y));
        }

        return metrics;
    }

    /// <summary>Indented snake_case JSON (<c>pr_auc</c>, <c>roc_auc</c>, <c>log_loss</c>, <c>thresholds</c>).</summary>
    public static string ToJson(EvaluationMetrics metrics) => JsonSerializer.Serialize(metrics, IndentedJsonContext.Default.EvaluationMetrics);

    private static ThresholdMetrics At(string name, double threshold, ReadOnlySpan<double> probabilities, float[] y)
    {
        var (precision, recall, f1) = Metrics.At(probabilities, y, threshold);
        var flagged = 0;
        foreach (var p in probabilities)
        {
            flagged += p >= threshold ? 1 : 0;
        }

        return new ThresholdMetrics
        {
            Name = name,
            Threshold = threshold,
            Precision = precision,
            Recall = recall,
            F1 = f1,
            FlaggedShare = probabilities.Length == 0 ? 0 : (double)flagged / probabilities.Length,
        };
    }
}
