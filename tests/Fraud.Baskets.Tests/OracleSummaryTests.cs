namespace Fraud.Baskets.Tests;

public sealed class OracleSummaryTests
{
    [Fact]
    public void AveragePrecisionMatchesTheTextbookExample()
    {
        // scikit-learn's average_precision_score documentation example: 0.8333...
        var summary = new OracleSummary();
        summary.Add(0.1, false);
        summary.Add(0.4, false);
        summary.Add(0.35, true);
        summary.Add(0.8, true);

        Assert.Equal(0.8333333333, summary.AveragePrecision(), 9);
        Assert.Equal(0.5, summary.FraudRate);
    }

    [Fact]
    public void TiedScoresCountAsOneThreshold()
    {
        var summary = new OracleSummary();
        summary.Add(0.5, true);
        summary.Add(0.5, false);
        summary.Add(0.1, false);

        Assert.Equal(0.5, summary.AveragePrecision(), 12);
    }

    [Fact]
    public void IsUndefinedWithoutAnyFraud()
    {
        var summary = new OracleSummary();
        summary.Add(0.3, false);

        Assert.True(double.IsNaN(summary.AveragePrecision()));
    }
}
