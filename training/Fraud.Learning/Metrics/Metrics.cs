namespace Fraud.Learning;

/// <summary>
/// Ranking and probability metrics for binary labels (1 = positive). Scores may be raw log-odds or probabilities;
/// every ranking metric treats tied scores as one threshold, as scikit-learn does, so the order of tied rows never
/// changes a result.
/// </summary>
public static class Metrics
{
    /// <summary>
    /// Average precision (area under the precision–recall curve, step-wise): Σ (R_k − R_{k−1}) P_k over distinct
    /// thresholds, as scikit-learn's <c>average_precision_score</c>. NaN when there is no positive label.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        var order = SortedDescending(scores, labels);
        var positives = CountPositives(labels);
        if (positives == 0)
        {
            return double.NaN;
        }

        double ap = 0;
        double truePositives = 0;
        var previousRecall = 0.0;
        var i = 0;
        while (i < order.Length)
        {
            var threshold = scores[order[i]];
            // Take every row tied at this score before measuring.
            while (i < order.Length && scores[order[i]] == threshold)
            {
                truePositives += labels[order[i]] > 0.5f ? 1 : 0;
                i++;
            }

            var recall = truePositives / positives;
            ap += (recall - previousRecall) * (truePositives / i);
            previousRecall = recall;
        }

        return ap;
    }

    /// <inheritdoc cref="AveragePrecision(ReadOnlySpan{double}, ReadOnlySpan{float})"/>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels) => AveragePrecision(scores, ToFloat(labels));

    /// <summary>
    /// Area under the ROC curve: the probability that a random positive outscores a random negative, ties counting
    /// one half (Mann–Whitney U with mid-ranks). NaN unless both classes are present.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        var order = SortedDescending(scores, labels);
        var positives = CountPositives(labels);
        var negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        // Walk from the highest score: each negative beats nothing, each positive beats all negatives below it.
        double pairs = 0;
        double negativesAbove = 0;
        var i = 0;
        while (i < order.Length)
        {
            var threshold = scores[order[i]];
            double groupPositives = 0, groupNegatives = 0;
            while (i < order.Length && scores[order[i]] == threshold)
            {
                if (labels[order[i]] > 0.5f)
                {
                    groupPositives++;
                }
                else
                {
                    groupNegatives++;
                }

                i++;
            }

            // Positives in the group rank above all negatives further down and tie with the group's negatives.
            var negativesBelow = negatives - negativesAbove - groupNegatives;
            pairs += groupPositives * (negativesBelow + (0.5 * groupNegatives));
            negativesAbove += groupNegatives;
        }

        return pairs / (positives * (double)negatives);
    }

    /// <inheritdoc cref="RocAuc(ReadOnlySpan{double}, ReadOnlySpan{float})"/>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels) => RocAuc(scores, ToFloat(labels));

    /// <summary>Mean negative log-likelihood of probabilities, each clipped to [eps, 1 − eps] (eps = 1e-15).</summary>
    public static double LogLoss(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels)
    {
        CheckLengths(probabilities.Length, labels.Length);
        if (probabilities.IsEmpty)
        {
            return double.NaN;
        }

        const double Eps = 1e-15;
        double loss = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], Eps, 1 - Eps);
            loss -= labels[i] > 0.5f ? Math.Log(p) : Math.Log(1 - p);
        }

        return loss / probabilities.Length;
    }

    /// <inheritdoc cref="LogLoss(ReadOnlySpan{double}, ReadOnlySpan{float})"/>
    public static double LogLoss(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> labels) => LogLoss(probabilities, ToFloat(labels));

    /// <summary>
    /// The precision–recall curve, one point per distinct score from the highest down. With
    /// <paramref name="maxPoints"/> &gt; 0 the points are thinned to about that many (for charts), keeping the ends.
    /// </summary>
    public static PrecisionRecallPoint[] PrecisionRecallCurve(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, int maxPoints = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPoints);
        var order = SortedDescending(scores, labels);
        var positives = CountPositives(labels);
        var points = new List<PrecisionRecallPoint>();
        double truePositives = 0;
        var i = 0;
        while (i < order.Length)
        {
            var threshold = scores[order[i]];
            while (i < order.Length && scores[order[i]] == threshold)
            {
                truePositives += labels[order[i]] > 0.5f ? 1 : 0;
                i++;
            }

            points.Add(new PrecisionRecallPoint(threshold, truePositives / i, positives == 0 ? 0 : truePositives / positives, i));
        }

        if (maxPoints <= 0 || points.Count <= maxPoints)
        {
            return [.. points];
        }

        var thinned = new PrecisionRecallPoint[maxPoints];
        for (var k = 0; k < maxPoints; k++)
        {
            thinned[k] = points[(int)((long)k * (points.Count - 1) / (maxPoints - 1))];
        }

        return thinned;
    }

    /// <inheritdoc cref="PrecisionRecallCurve(ReadOnlySpan{double}, ReadOnlySpan{float}, int)"/>
    public static PrecisionRecallPoint[] PrecisionRecallCurve(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, int maxPoints = 0) =>
        PrecisionRecallCurve(scores, ToFloat(labels), maxPoints);

    /// <summary>
    /// The lowest threshold (so the highest recall) whose precision reaches <paramref name="targetPrecision"/> while
    /// flagging at least <paramref name="minFlagged"/> rows. When no threshold reaches the target, the threshold with
    /// the best precision among those with enough support; use <see cref="TryThresholdForPrecision(ReadOnlySpan{double}, ReadOnlySpan{float}, double, int)"/> to tell.
    /// </summary>
    public static double ThresholdForPrecision(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, double targetPrecision, int minFlagged = 10) =>
        TryThresholdForPrecision(scores, labels, targetPrecision, minFlagged).Threshold;

    /// <inheritdoc cref="ThresholdForPrecision(ReadOnlySpan{double}, ReadOnlySpan{float}, double, int)"/>
    public static double ThresholdForPrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double targetPrecision, int minFlagged = 10) =>
        TryThresholdForPrecision(scores, ToFloat(labels), targetPrecision, minFlagged).Threshold;

    /// <summary>Like <see cref="ThresholdForPrecision(ReadOnlySpan{double}, ReadOnlySpan{float}, double, int)"/>, with the operating point it picked.</summary>
    public static ThresholdChoice TryThresholdForPrecision(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, double targetPrecision, int minFlagged = 10)
    {
        if (!(targetPrecision > 0 && targetPrecision <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetPrecision), targetPrecision, "Target precision must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(minFlagged);
        var curve = PrecisionRecallCurve(scores, labels);
        if (curve.Length == 0)
        {
            throw new ArgumentException("No scores to choose a threshold from.", nameof(scores));
        }

        // The curve runs from the highest threshold down; the last point meeting the target has the lowest threshold.
        var reached = -1;
        var best = -1;
        for (var k = 0; k < curve.Length; k++)
        {
            if (curve[k].Flagged < minFlagged)
            {
                continue;
            }

            if (curve[k].Precision >= targetPrecision)
            {
                reached = k;
            }

            if (best < 0 || curve[k].Precision > curve[best].Precision)
            {
                best = k;
            }
        }

        var pick = reached >= 0 ? reached : best >= 0 ? best : curve.Length - 1;
        var point = curve[pick];
        return new ThresholdChoice(point.Threshold, point.Precision, point.Recall, point.Flagged, reached >= 0);
    }

    /// <inheritdoc cref="TryThresholdForPrecision(ReadOnlySpan{double}, ReadOnlySpan{float}, double, int)"/>
    public static ThresholdChoice TryThresholdForPrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double targetPrecision, int minFlagged = 10) =>
        TryThresholdForPrecision(scores, ToFloat(labels), targetPrecision, minFlagged);

    /// <summary>Precision, recall and F1 when rows scoring at least <paramref name="threshold"/> are flagged (0 when undefined).</summary>
    public static (double Precision, double Recall, double F1) At(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, double threshold)
    {
        CheckLengths(scores.Length, labels.Length);
        double truePositives = 0, flagged = 0, positives = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var positive = labels[i] > 0.5f;
            positives += positive ? 1 : 0;
            if (scores[i] >= threshold)
            {
                flagged++;
                truePositives += positive ? 1 : 0;
            }
        }

        var precision = flagged == 0 ? 0 : truePositives / flagged;
        var recall = positives == 0 ? 0 : truePositives / positives;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }

    /// <inheritdoc cref="At(ReadOnlySpan{double}, ReadOnlySpan{float}, double)"/>
    public static (double Precision, double Recall, double F1) At(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double threshold) =>
        At(scores, ToFloat(labels), threshold);

    private static int[] SortedDescending(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        CheckLengths(scores.Length, labels.Length);
        var keys = new double[scores.Length];
        var order = new int[scores.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            if (double.IsNaN(scores[i]))
            {
                throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            }

            keys[i] = -scores[i];
            order[i] = i;
        }

        Array.Sort(keys, order);
        return order;
    }

    private static double CountPositives(ReadOnlySpan<float> labels)
    {
        double positives = 0;
        foreach (var label in labels)
        {
            positives += label > 0.5f ? 1 : 0;
        }

        return positives;
    }

    private static void CheckLengths(int scores, int labels)
    {
        if (scores != labels)
        {
            throw new ArgumentException($"Got {scores} scores but {labels} labels.");
        }
    }

    private static float[] ToFloat(ReadOnlySpan<bool> labels)
    {
        var result = new float[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            result[i] = labels[i] ? 1f : 0f;
        }

        return result;
    }
}
