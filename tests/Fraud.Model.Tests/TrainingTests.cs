using Fraud.Learning;
using Fraud.Model;

namespace Fraud.Model.Tests;

public sealed class TrainingTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void TrainedModelRanksUnseenBasketsBetterThanTheLogisticBaseline()
    {
        var probabilities = new double[fixture.TestBaskets.Count];
        fixture.Model.ScoreMany(fixture.TestBaskets, probabilities);
        var model = Metrics.AveragePrecision(probabilities, fixture.TestLabels);
        var baseline = Metrics.AveragePrecision(fixture.Result.Baseline.PredictProbabilities(fixture.TestBaskets), fixture.TestLabels);
        var fraudRate = fixture.TestLabels.Count(l => l) / (double)fixture.TestLabels.Length;

        Assert.True(model > baseline, $"trees PR-AUC {model:F4} should beat the baseline's {baseline:F4}");
        Assert.True(model > 4 * fraudRate, $"trees PR-AUC {model:F4} should be far above the fraud rate {fraudRate:F4}");
    }

    [Fact]
    public void DeclineThresholdIsStricterThanReview()
    {
        var thresholds = fixture.Model.Thresholds;
        Assert.InRange(thresholds.Review, 1e-6, 1);
        Assert.True(thresholds.Decline > thresholds.Review, $"decline {thresholds.Decline} must be above review {thresholds.Review}");
        var review = fixture.Result.Card.Metrics.Thresholds.Single(t => t.Name == "review");
        var decline = fixture.Result.Card.Metrics.Thresholds.Single(t => t.Name == "decline");
        Assert.True(decline.FlaggedShare <= review.FlaggedShare);
    }

    [Fact]
    public void CardDescribesTheRunAndTheData()
    {
        var card = fixture.Result.Card;
        Assert.Equal(fixture.Model.ModelId, card.ModelId);
        Assert.Equal(fixture.TrainBaskets.Count, card.Rows);
        Assert.Equal(card.Rows, card.TrainingRows + card.ValidationRows + card.CalibrationRows + card.TestRows);
        Assert.Equal(DataFingerprint.Compute(fixture.TrainBaskets, fixture.TrainLabels), card.DataFingerprint);
        Assert.Matches("^[0-9a-f]{64}$", card.DataFingerprint);
        Assert.Equal("5", card.Parameters["seed"]);
        Assert.NotEmpty(card.Importance);
        Assert.NotNull(card.Reference);
        Assert.Equal(fixture.Model.FeatureCount, card.Reference!.Features.Count);
        Assert.InRange(card.Metrics.PrAuc, 0.01, 1);

        var reloaded = ModelCard.FromJson(card.ToJsonBytes());
        Assert.Equal(card.DataFingerprint, reloaded.DataFingerprint);
        Assert.Equal(card.Metrics.PrAuc, reloaded.Metrics.PrAuc);
        Assert.Contains("\"pr_auc\"", System.Text.Encoding.UTF8.GetString(card.ToJsonBytes()), StringComparison.Ordinal);
    }

    [Fact]
    public void FingerprintChangesWhenOneLabelChanges()
    {
        var labels = fixture.TrainLabels.ToArray();
        var before = DataFingerprint.Compute(fixture.TrainBaskets, labels);
        labels[17] = !labels[17];
        Assert.NotEqual(before, DataFingerprint.Compute(fixture.TrainBaskets, labels));
    }

    [Fact]
    public void ReportIsSelfContainedHtmlWithCharts()
    {
        var html = fixture.Result.ReportHtml;
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.True(html.Split("<svg").Length - 1 >= 3, "PR curve, calibration and importance charts expected");
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains(fixture.Model.ModelId, html, StringComparison.Ordinal);
    }

    [Fact]
    public void SameSeedAndDataGiveTheSameModelWhateverTheThreadCount()
    {
        var rows = fixture.TrainBaskets.Take(4000).ToList();
        var labels = fixture.TrainLabels.Take(4000).ToList();
        var options = fixture.Options.WithParameter("num_rounds", "20");
        var one = ModelTrainer.Train(rows, labels, options with { Threads = 1 });
        var two = ModelTrainer.Train(rows, labels, options with { Threads = 2 });
        Assert.Equal(one.Model.ModelId, two.Model.ModelId);
        foreach (var basket in fixture.TestBaskets.Take(200))
        {
            Assert.Equal(one.Model.PredictProbability(basket), two.Model.PredictProbability(basket));
        }
    }

    [Fact]
    public void EnsembleMembersAreAveragedIntoOneDeterministicModel()
    {
        var rows = fixture.TrainBaskets.Take(4000).ToList();
        var labels = fixture.TrainLabels.Take(4000).ToList();
        var options = fixture.Options.WithParameter("num_rounds", "20").WithParameter("min_rounds", "0").WithParameter("ensemble_members", "3");
        var first = ModelTrainer.Train(rows, labels, options);
        var again = ModelTrainer.Train(rows, labels, options with { Threads = 1 });
        var single = ModelTrainer.Train(rows, labels, options.WithParameter("ensemble_members", "1"));

        Assert.Equal(first.Model.ModelId, again.Model.ModelId);
        Assert.NotEqual(single.Model.ModelId, first.Model.ModelId);
        Assert.True(first.Card.TreeCount > single.Card.TreeCount, $"3 members gave {first.Card.TreeCount} trees, one model {single.Card.TreeCount}");
        Assert.Equal("3", first.Card.Parameters["ensemble_members"]);
        var ex = Assert.Throws<ArgumentException>(() => options.WithParameter("ensemble_members", "0"));
        Assert.Contains("ensemble_members", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesLabelsThatDoNotMatchTheBaskets()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(fixture.TrainBaskets, fixture.TrainLabels.Take(10).ToList(), fixture.Options));
        Assert.Contains("labels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesDataWithoutEnoughFrauds()
    {
        var labels = new bool[fixture.TrainBaskets.Count];
        var ex = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(fixture.TrainBaskets, labels, fixture.Options));
        Assert.Contains("fraudulent baskets", ex.Message, StringComparison.Ordinal);
    }
}
