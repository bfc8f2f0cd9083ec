using Fraud.Baskets;

namespace Fraud.Model.Tests;

/// <summary>Thresholds chosen on too few frauds fall back visibly (issue 19, item 6).</summary>
public sealed class ThresholdWarningTests
{
    [Fact]
    public void ThresholdsFromAHandfulOfFraudsAreFlaggedOnTheCardAndInTheReport()
    {
        // 2,000 baskets at about 1.4 % fraud: a few frauds per split, far too few for a 70 % precision decline.
        var rows = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 2000, Seed = 31 }).ToList();
        var options = new TrainingOptions { Seed = 31, Threads = 1 };
        options = options with { Gbdt = options.Gbdt with { NumRounds = 10, EarlyStoppingRounds = 0 }, ImportanceSampleRows = 50 };

        var result = ModelTrainer.Train([.. rows.Select(r => r.Basket)], [.. rows.Select(r => r.IsFraud)], options);

        Assert.Contains(result.Card.ThresholdWarnings, w => w.StartsWith("decline:", StringComparison.Ordinal));
        Assert.Contains("Warning: decline:", result.ReportHtml, StringComparison.Ordinal);
        var roundTripped = ModelCard.FromJson(result.Card.ToJsonBytes());
        Assert.Equal(result.Card.ThresholdWarnings, roundTripped.ThresholdWarnings);
    }

    [Fact]
    public void ThresholdsChosenOnTwoFraudsEachCarryAWarning()
    {
        var validation = new double[] { 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05 };
        var labels = new float[] { 1, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
        var warnings = new List<string>();

        ModelTrainer.ChooseThresholds(validation, labels, new TrainingOptions(), warnings);

        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Matches("^(review|decline): ", w));
    }
}
