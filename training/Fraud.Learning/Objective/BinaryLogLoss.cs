namespace Fraud.Learning;

/// <summary>
/// Binary log-loss on raw scores (log-odds), with a weight on positive examples. Gradient and hessian are the
/// first and second derivatives used by the second-order boosting step (Chen &amp; Guestrin, 2016, eq. 3):
/// g = w (p - y), h = w p (1 - p). The target y may be a probability (a soft target, e.g. a distilled model's): the
/// loss is then the cross-entropy -y log p - (1 - y) log (1 - p), whose derivatives are the same expressions, and the
/// weight is interpolated, w = 1 + (positive weight - 1) y, between 1 at y = 0 and the positive weight at y = 1.
/// </summary>
internal static class BinaryLogLoss
{
    /// <summary>Rows per partial sum; fixed so that sums are identical for any thread count.</summary>
    private const int ChunkSize = 8192;

    /// <summary>Keeps hessians away from zero so that confident rows cannot make a leaf's denominator vanish.</summary>
    private const double MinHessian = 1e-16;

    /// <summary>Log-odds of the weighted positive rate: the constant that minimises the loss before any tree.</summary>
    public static double BaseScore(ReadOnlySpan<float> y, double positiveWeight)
    {
        double positives = 0;
        for (var i = 0; i < y.Length; i++)
        {
            positives += y[i];
        }

        var negatives = y.Length - positives;
        // A single-class sample still gets a finite start (probability 1e-6 away from certainty).
        var p = Math.Clamp(positives * positiveWeight / ((positives * positiveWeight) + negatives), 1e-6, 1 - 1e-6);
        return Math.Log(p / (1 - p));
    }

    /// <summary>Fills gradients and hessians for the current scores and returns the unweighted mean log-loss.</summary>
    public static double Gradients(
        double[] scores, float[] y, double positiveWeight, double[] gradients, double[] hessians, int threads, double[] partials)
    {
        var n = scores.Length;
        var chunks = Parallelism.ChunkCount(n, ChunkSize);
        Parallelism.For(chunks, threads, c =>
        {
            var end = Math.Min(n, (c + 1) * ChunkSize);
            double loss = 0;
            for (var i = c * ChunkSize; i < end; i++)
            {
                var p = Sigmoid(scores[i]);
                var label = y[i];
                // 0 and 1 keep their exact weights (so a 0/1 training is bit-for-bit what it was); a soft target in
                // between gets the interpolated weight, continuous at both ends (not a jump at 0.5).
                var w = label == 1f ? positiveWeight : label == 0f ? 1.0 : 1.0 + ((positiveWeight - 1.0) * label);
                gradients[i] = w * (p - label);
                hessians[i] = Math.Max(w * p * (1 - p), MinHessian);
                loss += RowLoss(scores[i], label);
            }

            partials[c] = loss;
        });

        double total = 0;
        for (var c = 0; c < chunks; c++)
        {
            total += partials[c];
        }

        return n == 0 ? 0 : total / n;
    }

    public static int PartialCount(int rows) => Parallelism.ChunkCount(rows, ChunkSize);

    /// <summary>Mean log-loss of raw scores, computed stably from log-odds.</summary>
    public static double MeanLoss(ReadOnlySpan<double> scores, ReadOnlySpan<float> y)
    {
        double loss = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            loss += RowLoss(scores[i], y[i]);
        }

        return scores.IsEmpty ? 0 : loss / scores.Length;
    }

    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    /// <summary>-log p(label | score) = softplus(score) - label * score, without overflow for large |score|.</summary>
    private static double RowLoss(double score, float label)
    {
        var softplus = score > 0 ? score + Math.Log(1 + Math.Exp(-score)) : Math.Log(1 + Math.Exp(score));
        return softplus - (label * score);
    }
}
