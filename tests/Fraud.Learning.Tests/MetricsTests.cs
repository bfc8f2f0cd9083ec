namespace Fraud.Learning.Tests;

public sealed class MetricsTests
{
    // scikit-learn's documented example: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
    private static readonly float[] ExampleLabels = [0, 0, 1, 1];
    private static readonly double[] ExampleScores = [0.1, 0.4, 0.35, 0.8];

    [Fact]
    public void AveragePrecisionMatchesScikitLearnExample()
    {
        Assert.Equal(5.0 / 6.0, Metrics.AveragePrecision(ExampleScores, ExampleLabels), 12);
    }

    [Fact]
    public void AveragePrecisionTreatsTiedScoresAsOneThreshold()
    {
        // All four rows tied: one threshold, precision 2/4 at recall 1, whatever the row order.
        double[] scores = [0.5, 0.5, 0.5, 0.5];
        Assert.Equal(0.5, Metrics.AveragePrecision(scores, ExampleLabels), 12);
        Assert.Equal(0.5, Metrics.AveragePrecision(scores, new float[] { 1, 1, 0, 0 }), 12);

        // A tie between the top positive and a negative: (0.5 - 0) * 1/2 + (1 - 0.5) * 2/3.
        double[] partlyTied = [0.9, 0.9, 0.5, 0.1];
        float[] labels = [1, 0, 1, 0];
        Assert.Equal((0.5 * 0.5) + (0.5 * 2.0 / 3.0), Metrics.AveragePrecision(partlyTied, labels), 12);
    }

    [Fact]
    public void AveragePrecisionIsOneForAPerfectRanking()
    {
        Assert.Equal(1.0, Metrics.AveragePrecision(new double[] { 0.9, 0.8, 0.2, 0.1 }, new[] { true, true, false, false }), 12);
    }

    [Fact]
    public void AveragePrecisionIsNaNWithoutPositives()
    {
        Assert.True(double.IsNaN(Metrics.AveragePrecision(new double[] { 0.3, 0.2 }, new float[] { 0, 0 })));
    }

    [Fact]
    public void RocAucMatchesScikitLearnExampleAndCountsTiesAsHalf()
    {
        Assert.Equal(0.75, Metrics.RocAuc(ExampleScores, ExampleLabels), 12);
        Assert.Equal(0.5, Metrics.RocAuc(new double[] { 1, 1, 1, 1 }, ExampleLabels), 12);
        // Positive 0.9 beats both negatives; positive 0.5 ties one negative (0.5) and beats one (0.1): (2 + 1.5) / 4.
        Assert.Equal(3.5 / 4, Metrics.RocAuc(new double[] { 0.9, 0.5, 0.5, 0.1 }, new float[] { 1, 1, 0, 0 }), 12);
    }

    [Fact]
    public void RocAucIsNaNWithOneClass()
    {
        Assert.True(double.IsNaN(Metrics.RocAuc(new double[] { 0.3, 0.2 }, new float[] { 1, 1 })));
    }

    [Fact]
    public void LogLossMatchesHandComputedValueAndClipsCertainMistakes()
    {
        var expected = -(Math.Log(0.9) + Math.Log(0.8)) / 2;
        Assert.Equal(expected, Metrics.LogLoss(new[] { 0.9, 0.2 }, new float[] { 1, 0 }), 12);

        var clipped = Metrics.LogLoss(new[] { 0.0 }, new float[] { 1 });
        Assert.Equal(-Math.Log(1e-15), clipped, 9);
    }

    [Fact]
    public void PrecisionRecallCurveHasOnePointPerDistinctScore()
    {
        var curve = Metrics.PrecisionRecallCurve(new double[] { 0.9, 0.9, 0.5, 0.1 }, new float[] { 1, 0, 1, 0 });
        Assert.Equal(3, curve.Length);
        Assert.Equal(new PrecisionRecallPoint(0.9, 0.5, 0.5, 2), curve[0]);
        Assert.Equal(new PrecisionRecallPoint(0.5, 2.0 / 3, 1, 3), curve[1]);
        Assert.Equal(new PrecisionRecallPoint(0.1, 0.5, 1, 4), curve[2]);
    }

    [Fact]
    public void PrecisionRecallCurveThinsToRequestedPointsKeepingTheEnds()
    {
        var scores = Enumerable.Range(0, 1000).Select(i => i / 1000.0).ToArray();
        var labels = Enumerable.Range(0, 1000).Select(i => i % 3 == 0 ? 1f : 0f).ToArray();
        var curve = Metrics.PrecisionRecallCurve(scores, labels, maxPoints: 50);
        Assert.Equal(50, curve.Length);
        Assert.Equal(0.999, curve[0].Threshold);
        Assert.Equal(0.0, curve[^1].Threshold);
        Assert.Equal(1.0, curve[^1].Recall);
    }

    [Fact]
    public void ThresholdForPrecisionPicksTheLowestThresholdThatReachesTheTarget()
    {
        // Sorted by score: 1 1 0 1 0 0 1 0 -> precision 1, 1, 2/3, 3/4, 3/5, 1/2, 4/7, 1/2.
        double[] scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3];
        float[] labels = [1, 1, 0, 1, 0, 0, 1, 0];

        Assert.Equal(0.7, Metrics.ThresholdForPrecision(scores, labels, 0.75, minFlagged: 1));
        Assert.Equal(0.4, Metrics.ThresholdForPrecision(scores, labels, 0.55, minFlagged: 1));

        var choice = Metrics.TryThresholdForPrecision(scores, labels, 0.75, minFlagged: 1);
        Assert.True(choice.ReachedTarget);
        Assert.Equal(0.75, choice.Precision, 12);
        Assert.Equal(0.75, choice.Recall, 12);
        Assert.Equal(4, choice.Flagged);
    }

    [Fact]
    public void ThresholdForPrecisionIgnoresThresholdsWithTooLittleSupport()
    {
        double[] scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3];
        float[] labels = [1, 1, 0, 1, 0, 0, 1, 0];

        // Precision 1 holds only for the top two rows; with at least 3 flagged the best reachable is 3/4.
        var choice = Metrics.TryThresholdForPrecision(scores, labels, 1.0, minFlagged: 3);
        Assert.False(choice.ReachedTarget);
        Assert.Equal(0.7, choice.Threshold);
        Assert.Equal(0.75, choice.Precision, 12);
    }

    [Fact]
    public void AtGivesPrecisionRecallAndF1OfFlaggingAtOrAboveTheThreshold()
    {
        var (precision, recall, f1) = Metrics.At(ExampleScores, ExampleLabels, 0.35);
        Assert.Equal(2.0 / 3, precision, 12);
        Assert.Equal(1.0, recall, 12);
        Assert.Equal(0.8, f1, 12);

        var none = Metrics.At(ExampleScores, ExampleLabels, 2.0);
        Assert.Equal((0.0, 0.0, 0.0), none);
    }

    [Fact]
    public void RejectsScoresAndLabelsOfDifferentLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => Metrics.AveragePrecision(new double[] { 0.1 }, new float[] { 1, 0 }));
        Assert.Contains("1 scores but 2 labels", error.Message, StringComparison.Ordinal);
    }
}
