using Fraud.Baskets;
using Fraud.Model;
using Fraud.Model.Drift;

namespace Fraud.Monitoring.Tests;

/// <summary>PSI read over its sampling noise, the verdict and its one-sentence reason, and the importance-weighted share.</summary>
public sealed class DriftVerdictTests
{
    private static readonly string[] Names = DriftCalculatorTests.Names;

    [Fact]
    public void ExpectedPsiUnderNoDriftGrowsLikeBinsOverSampleSizeAndMatchesSimulation()
    {
        Assert.Equal(9 * ((1 / 2000.0) + (1 / 200.0)), DriftStatistics.ExpectedPsi(10, 2000, 200), 12);
        Assert.Equal(0, DriftStatistics.ExpectedPsi(1, 2000, 200));

        // Same population, ten equally likely bins: the mean PSI of 400 draws is the expected one.
        var random = new Random(7);
        double sum = 0;
        const int Draws = 400;
        for (var d = 0; d < Draws; d++)
        {
            var reference = new long[10];
            var current = new long[10];
            for (var i = 0; i < 2000; i++)
            {
                reference[random.Next(10)]++;
            }

            for (var i = 0; i < 200; i++)
            {
                current[random.Next(10)]++;
            }

            sum += DriftStatistics.Psi(reference, current, 1e-4);
        }

        var expected = DriftStatistics.ExpectedPsi(10, 2000, 200);
        Assert.InRange(sum / Draws, 0.8 * expected, 1.2 * expected);
    }

    [Fact]
    public void ScoreNoiseOfASmallWindowNoLongerWarns()
    {
        // Twenty score bins against 120 baskets: sampling alone gives a PSI above the 0.1 warning level.
        var options = new DriftOptions { MinRows = 100, ScoreBins = 20 };
        var sample = DriftCalculatorTests.Sample(4000, seed: 1, shift: 0);
        var reference = ReferenceProfile.Build(sample.Baskets, sample.Features, Names, sample.Scores, options);
        var (baskets, features, scores) = DriftCalculatorTests.Sample(120, seed: 9, shift: 0);

        var report = DriftCalculator.Compare(reference, baskets, features, scores, options);

        Assert.True(report.ScorePsi >= 0.1, $"precondition: raw score PSI {report.ScorePsi:F3} would have warned");
        Assert.True(report.Score.ExpectedPsi > 0.1, $"expected PSI {report.Score.ExpectedPsi:F3}");
        Assert.Equal(DriftStatus.Ok, report.ScoreStatus);
        Assert.Equal(DriftStatus.Ok, report.Verdict);
        Assert.False(report.DatasetDrift);
    }

    [Fact]
    public void SamePopulationIsOkAndTheReasonSaysSo()
    {
        var (reference, _) = Profile(5000, seed: 1);
        var (baskets, features, scores) = DriftCalculatorTests.Sample(2000, seed: 2, shift: 0);

        var report = DriftCalculator.Compare(reference, baskets, features, scores);

        Assert.Equal(DriftStatus.Ok, report.Verdict);
        Assert.False(report.DatasetDrift);
        Assert.StartsWith("no shift beyond sampling noise", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ShiftedBasketsAreAnAlertWhoseReasonLeadsWithWhatMovedMost()
    {
        var (reference, _) = Profile(5000, seed: 1);
        var (baskets, features, scores) = DriftCalculatorTests.Sample(2000, seed: 3, shift: 1);

        var report = DriftCalculator.Compare(reference, baskets, features, scores);

        Assert.Equal(DriftStatus.Alert, report.Verdict);
        Assert.True(report.DatasetDrift);
        // Prices tripled in this sample, which is the strongest signal; at most three clauses.
        Assert.Matches(@"^prices \+\d+ % like for like; ", report.Reason);
        Assert.InRange(report.Reason.Split("; ").Length, 2, 3);
    }

    [Fact]
    public void AMixShiftAloneIsNamedWithTheCategorySharesBeforeAndAfter()
    {
        var (reference, _) = Profile(5000, seed: 1);
        var (baskets, features, scores) = DriftCalculatorTests.Sample(2000, seed: 3, shift: 0);
        var random = new Random(3);
        var phones = baskets.ConvertAll(b => b with { Items = [.. b.Items.Select(i => random.NextDouble() < 0.4 ? i with { Item = "PHONES" } : i)] });

        var report = DriftCalculator.Compare(reference, phones, features, scores);

        Assert.NotEqual(DriftStatus.Ok, report.Verdict);
        Assert.Matches(@"^product mix moved: PHONES share 2\d % → [45]\d %, ", report.Reason);
        Assert.DoesNotContain("prices", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void APriceRiseIsReportedLikeForLikeAndTheClassifierAloneCanRaiseTheAlert()
    {
        var (reference, _) = Profile(5000, seed: 1);
        var (baskets, features, scores) = DriftCalculatorTests.Sample(3000, seed: 4, shift: 0);
        var dearer = baskets.ConvertAll(b => b with { Items = [.. b.Items.Select(i => i with { CashPrice = i.CashPrice * 1.15 })] });
        var classifier = new ClassifierTestResult { Auc = 0.61, WarnAuc = 0.52, AlertAuc = 0.53, NullStd = 0.01, Status = DriftStatus.Alert, TopFeatures = [new ClassifierFeature { Name = "amount", Share = 0.7 }] };

        var report = DriftCalculator.Compare(reference, dearer, features, scores, classifier: classifier);

        Assert.Equal(DriftStatus.Alert, report.Verdict);
        Assert.True(report.DatasetDrift);
        Assert.True(report.Alert);
        Assert.Matches(@"^prices \+1[4-6] % like for like", report.Reason);
        Assert.Contains("a classifier tells the window from the training data (AUC 0.610, alert from 0.530) mostly by amount", report.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("product mix", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportanceWeightedShareCountsWhatTheModelLeansOnBesideThePlainShare()
    {
        var (reference, _) = Profile(5000, seed: 1);
        var (baskets, features, scores) = DriftCalculatorTests.Sample(2000, seed: 2, shift: 0);
        var moved = (float[])features.Clone();
        for (var r = 0; r < baskets.Count; r++)
        {
            moved[r * Names.Length] *= 3; // only the amount column moves
        }

        List<FeatureImportance> Importance(double amount) =>
            [new("amount", "amount", amount, 1), new("items", "items", (1 - amount) / 2, 1), new("phones", "phones", (1 - amount) / 2, 1)];

        var leaned = DriftCalculator.Compare(reference, baskets, moved, scores, importance: Importance(0.8));
        var ignored = DriftCalculator.Compare(reference, baskets, moved, scores, importance: Importance(0.1));

        Assert.Equal(1, leaned.DriftedFeatures);
        Assert.Equal(1 / 3.0, leaned.DriftedFeatureShare, 9);
        Assert.Equal(0.8, leaned.DriftedImportanceShare!.Value, 9);
        Assert.Equal(DriftStatus.Alert, leaned.Verdict);
        Assert.Equal(0.1, ignored.DriftedImportanceShare!.Value, 9);
        Assert.Equal(DriftStatus.Warn, ignored.Verdict);
        Assert.Contains("model feature amount moved", ignored.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ATooSmallWindowIsOkWithAReasonThatSaysWhy()
    {
        var (reference, _) = Profile(3000, seed: 1);
        var (baskets, features, scores) = DriftCalculatorTests.Sample(50, seed: 5, shift: 1);

        var report = DriftCalculator.Compare(reference, baskets, features, scores);

        Assert.Equal(DriftStatus.Ok, report.Verdict);
        Assert.Equal("too few baskets to tell: 50 in the window, at least 500 needed", report.Reason);
    }

    [Fact]
    public void TheReferenceSampleSurvivesTheCardCompactlyAndKeepsOptionalFieldsEmpty()
    {
        var baskets = Enumerable.Range(0, 300).Select(i => new Basket($"b{i}", [new BasketItem("COMPUTERS", 100 + i, "", "", "", 1)])).ToList();
        var features = new float[baskets.Count * Names.Length];
        var profile = ReferenceProfile.Build(baskets, features, Names, new double[baskets.Count], new DriftOptions { ReferenceSampleRows = 100 }, [.. baskets.Select((_, i) => i % 3)], 3);

        var json = System.Text.Json.JsonSerializer.Serialize(profile, DriftJsonContext.Default.ReferenceProfile);
        var back = System.Text.Json.JsonSerializer.Deserialize(json, DriftJsonContext.Default.ReferenceProfile)!;

        Assert.Equal(100, back.Sample.Count);
        Assert.Equal(3, back.MemberCount);
        Assert.Equal(profile.SampleMembers, back.SampleMembers);
        Assert.All(back.Sample, b => Assert.Equal(string.Empty, b.Id));
        Assert.Equal(string.Empty, back.Sample[0].Items[0].GoodsCode);
        Assert.Equal(103, back.Sample[1].Items[0].CashPrice);
        Assert.Contains("\"sampleData\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"sample\":", json, StringComparison.Ordinal);
    }

    private static (ReferenceProfile Profile, List<Basket> Baskets) Profile(int rows, int seed)
    {
        var sample = DriftCalculatorTests.Sample(rows, seed, shift: 0);
        return (ReferenceProfile.Build(sample.Baskets, sample.Features, Names, sample.Scores), sample.Baskets);
    }
}
