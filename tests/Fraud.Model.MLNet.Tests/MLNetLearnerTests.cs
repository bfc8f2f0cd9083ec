using Fraud.Baskets;
using Fraud.Learning;

namespace Fraud.Model.MLNet.Tests;

/// <summary>ML.NET's learners trained through the product's pipeline: small data (4,000 baskets, 60 rounds) so it stays fast.</summary>
public sealed class MLNetLearnerTests
{
    private static readonly List<SyntheticBasket> Train = [.. SyntheticBaskets.Generate(new GeneratorOptions { Rows = 4000, Seed = 21 })];
    private static readonly List<SyntheticBasket> Test = [.. SyntheticBaskets.Generate(new GeneratorOptions { Rows = 2000, Seed = 22 })];

    static MLNetLearnerTests() => MLNetTreeLearner.RegisterAll();

    private static TrainingResult TrainWith(string learner, int seed = 3) =>
        ModelTrainer.Train(
            [.. Train.Select(t => t.Basket)],
            [.. Train.Select(t => t.IsFraud)],
            new TrainingOptions { Seed = seed, Threads = 1 }
                .WithParameter("learner", learner)
                .WithParameter("ensemble_members", "1")
                .WithParameter("num_rounds", "60")
                .WithParameter("min_rounds", "0")
                .WithParameter("early_stopping_rounds", "30")
                .WithParameter("min_data_in_leaf", "40")
                .WithParameter("importance_sample_rows", "100"));

    [Theory]
    [InlineData("fasttree")]
    [InlineData("lightgbm")]
    public void AnMLNetModelScoresExplainsAndReloadsLikeTheProductsOwn(string learner)
    {
        var result = TrainWith(learner);
        var model = result.Model;

        Assert.Equal(learner, result.Card.Parameters["learner"]);
        Assert.InRange(model.TreeCount, 1, 60);
        // The trees rank: better than the fraud rate a random order would give.
        var probabilities = Test.Select(t => model.PredictProbability(t.Basket)).ToArray();
        var prAuc = Metrics.AveragePrecision(probabilities, [.. Test.Select(t => t.IsFraud ? 1f : 0f)]);
        Assert.True(prAuc > 3 * Test.Average(t => t.IsFraud ? 1.0 : 0), $"PR-AUC {prAuc}");

        // TreeSHAP on the exported trees (covers counted from the training rows) adds up to the score.
        foreach (var t in Test.Take(30))
        {
            var explanation = model.Explain(t.Basket);
            Assert.Equal(explanation.RawScore, explanation.BaseValue + explanation.FeatureContributions.Sum(), 6);
        }

        // Same artifact format: the reloaded model scores every basket the same.
        using var stream = new MemoryStream(model.ToJsonBytes());
        var reloaded = FraudModel.Load(stream);
        Assert.All(Test.Take(200), t => Assert.Equal(model.PredictProbability(t.Basket), reloaded.PredictProbability(t.Basket), 12));
    }

    [Fact]
    public void FastTreeWithTheSameSeedGivesTheSameModel()
    {
        var first = TrainWith("fasttree", seed: 9).Model;
        var second = TrainWith("fasttree", seed: 9).Model;

        Assert.Equal(first.ModelId, second.ModelId);
    }

    [Fact]
    public void AnUnknownLearnerIsRefusedByName()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingOptions().WithParameter("learner", "xgboost"));
        Assert.Contains("gbdt, fasttree, lightgbm", ex.Message, StringComparison.Ordinal);
    }
}
