using Fraud.Learning;
using Fraud.Model.Drift;

namespace Fraud.Monitoring.Tests;

/// <summary>The permutation-calibrated classifier two-sample test on small plain matrices (no generator, no model).</summary>
public sealed class ClassifierTwoSampleTestTests
{
    private static readonly string[] Names = ["amount", "lines", "tv_share", "noise1", "noise2"];

    // Small and quick, same procedure as the product's defaults.
    private static readonly DriftOptions Options = new() { ClassifierRounds = 20, ClassifierPermutations = 6, ClassifierShapRows = 100, Threads = 1 };

    [Fact]
    public void SamePopulationPassesAndItsThresholdSitsAboveTheMannWhitneySpread()
    {
        var result = ClassifierTwoSampleTest.Run(Matrix(800, seed: 1, tvShare: 0.05), Matrix(600, seed: 2, tvShare: 0.05), Names, Options);

        Assert.Null(result.Skipped);
        Assert.Equal(DriftStatus.Ok, result.Status);
        Assert.True(result.Auc < result.WarnAuc, $"AUC {result.Auc:F3} vs warn {result.WarnAuc:F3}");
        var mannWhitney = Math.Sqrt((800 + 600 + 1.0) / (12.0 * 800 * 600));
        Assert.True(result.NullStd >= mannWhitney - 1e-12);
        Assert.Equal(6, result.NullAucs.Length);
        Assert.All(result.NullAucs, a => Assert.InRange(a, 0.4, 0.6));
        Assert.True(result.AlertAuc > result.WarnAuc && result.WarnAuc > 0.5);
    }

    [Fact]
    public void AThresholdFromAFewPermutationsAllowsForTheirSpreadBeingAnEstimate()
    {
        // σ from 6 permutations is an estimate: the warn and alert AUCs sit Student's t (6 degrees of freedom) of it
        // above 0.5, not the normal quantile, which on an underestimated σ warned on same-population windows.
        var result = ClassifierTwoSampleTest.Run(Matrix(800, seed: 1, tvShare: 0.05), Matrix(600, seed: 2, tvShare: 0.05), Names, Options);
        var permutation = Math.Sqrt(result.NullAucs.Sum(a => (a - 0.5) * (a - 0.5)) / result.NullAucs.Length);
        Assert.True(permutation > 0);

        // t quantiles for 6 degrees of freedom at 0.99 and 0.999 (tables): 3.143 and 5.208.
        Assert.True(result.WarnAuc >= 0.5 + (3.142 * permutation), $"warn {result.WarnAuc:F4}, permutation σ {permutation:F4}");
        Assert.True(result.AlertAuc >= 0.5 + (5.207 * permutation), $"alert {result.AlertAuc:F4}, permutation σ {permutation:F4}");
    }

    [Fact]
    public void AMixShiftInOneColumnFailsAndTheClassifierNamesThatColumn()
    {
        // One category's share triples; nothing else moves: a vote over five columns would call this one in five.
        var result = ClassifierTwoSampleTest.Run(Matrix(800, seed: 1, tvShare: 0.05), Matrix(600, seed: 3, tvShare: 0.15), Names, Options);

        // 600 rows against 800 and a spread estimated from 6 permutations: enough to flag it (warn or alert); how sure
        // the alert threshold can be grows with the permutations (see AThresholdFromAFewPermutations...).
        Assert.NotEqual(DriftStatus.Ok, result.Status);
        Assert.True(result.Auc >= result.WarnAuc, $"AUC {result.Auc:F3} vs warn {result.WarnAuc:F3}");
        Assert.Equal("tv_share", result.TopFeatures[0].Name);
        Assert.True(result.TopFeatures[0].CurrentMean > result.TopFeatures[0].ReferenceMean);
    }

    [Fact]
    public void TwentySamePopulationWindowsRaiseNoAlertAndAtMostOneWarning()
    {
        var reference = Matrix(600, seed: 100, tvShare: 0.05);
        var verdicts = Enumerable.Range(0, 20)
            .Select(w => ClassifierTwoSampleTest.Run(reference, Matrix(300, seed: 200 + w, tvShare: 0.05), Names, Options with { ClassifierPermutations = 3 }).Status)
            .ToList();

        Assert.DoesNotContain(DriftStatus.Alert, verdicts);
        Assert.True(verdicts.Count(v => v == DriftStatus.Warn) <= 1, string.Join(",", verdicts));
    }

    [Fact]
    public void SameInputsGiveTheSameAucAndTooFewRowsSkipTheTest()
    {
        var a = ClassifierTwoSampleTest.Run(Matrix(400, seed: 1, tvShare: 0.05), Matrix(300, seed: 2, tvShare: 0.1), Names, Options);
        var b = ClassifierTwoSampleTest.Run(Matrix(400, seed: 1, tvShare: 0.05), Matrix(300, seed: 2, tvShare: 0.1), Names, Options);
        var tiny = ClassifierTwoSampleTest.Run(Matrix(400, seed: 1, tvShare: 0.05), Matrix(50, seed: 2, tvShare: 0.05), Names, Options);

        Assert.Equal(a.Auc, b.Auc);
        Assert.Equal(a.NullAucs, b.NullAucs);
        Assert.NotNull(tiny.Skipped);
        Assert.Contains("too few rows", tiny.Skipped, StringComparison.Ordinal);
    }

    /// <summary>Rows of a basket-like population: amount, lines, a category share column (0/1) and two noise columns.</summary>
    internal static FeatureMatrix Matrix(int rows, int seed, double tvShare)
    {
        var random = new Random(seed);
        var x = new FeatureMatrix(rows, Names.Length);
        for (var r = 0; r < rows; r++)
        {
            var tv = random.NextDouble() < tvShare;
            x[r, 0] = (float)Math.Exp(5 + random.NextDouble());
            x[r, 1] = 1 + random.Next(3);
            x[r, 2] = tv ? 1 : 0;
            x[r, 3] = (float)random.NextDouble();
            x[r, 4] = random.Next(10);
        }

        return x;
    }
}
