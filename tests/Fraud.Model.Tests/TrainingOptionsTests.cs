using Fraud.Model;

namespace Fraud.Model.Tests;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void ParameterChangesTheNamedSetting()
    {
        var options = new TrainingOptions().WithParameter("learning_rate", "0.2").WithParameter("calibration", "isotonic").WithParameter("smoothing", "5");
        Assert.Equal(0.2, options.Gbdt.LearningRate);
        Assert.Equal(CalibrationMethod.Isotonic, options.Calibration);
        Assert.Equal(5, options.Featurizer.Smoothing);
        Assert.Equal("0.2", options.ToParameters()["learning_rate"]);
        Assert.Equal("quantile", options.ToParameters()["price_bands"]);
        Assert.Equal(Features.PriceBandMode.Fixed, options.WithParameter("price_bands", "fixed").Featurizer.PriceBands);
    }

    [Fact]
    public void LargeDataRuleSwitchesOnAboveItsRowCountOnly()
    {
        var options = new TrainingOptions();
        Assert.Same(options, options.ForRows(92_790));
        Assert.Same(options, options.ForRows(500_000)); // the monitoring job's training-set cap: never above it

        var million = options.ForRows(1_000_000);
        Assert.Equal(2, million.EnsembleMembers);
        Assert.Equal(4, million.Featurizer.LineModelEpochs); // 8 passes × 500,000 / 1,000,000
        Assert.Equal(50, million.Gbdt.EarlyStoppingRounds); // patience 100 × 500,000 / 1,000,000
        Assert.Equal(options with { EnsembleMembers = 2, Featurizer = options.Featurizer with { LineModelEpochs = 4 }, Gbdt = options.Gbdt with { EarlyStoppingRounds = 50 } }, million);
        Assert.Equal(TrainingOptions.MinLargeDataPatience, options.ForRows(100_000_000).Gbdt.EarlyStoppingRounds);
        Assert.Equal(6, options.ForRows(600_000).Featurizer.LineModelEpochs);
        Assert.Equal(1, options.ForRows(100_000_000).Featurizer.LineModelEpochs);

        // A small threshold through the parameters switches it on for small data; 0 switches it off.
        var small = options.WithParameter("large_data_rows", "1000").WithParameter("large_data_members", "3");
        Assert.Equal(3, small.ForRows(1001).EnsembleMembers);
        Assert.Same(small, small.ForRows(1000));
        var off = options.WithParameter("large_data_rows", "0");
        Assert.Same(off, off.ForRows(1_000_000));
        Assert.Equal("0", off.ToParameters()["large_data_rows"]);

        // It scales what was asked for and never raises it: one member stays one; 2 passes × 500,000 / 600,000 → 1.
        var lean = options with { EnsembleMembers = 1, Featurizer = options.Featurizer with { LineModelEpochs = 2 } };
        Assert.Equal(1, lean.ForRows(600_000).EnsembleMembers);
        Assert.Equal(1, lean.ForRows(600_000).Featurizer.LineModelEpochs);
        var patient = options.WithParameter("early_stopping_rounds", "10");
        Assert.Equal(10, patient.ForRows(1_000_000).Gbdt.EarlyStoppingRounds);
        Assert.Equal(7, options.ForRows(500_001).Featurizer.LineModelEpochs);
    }

    [Fact]
    public void UnknownParameterNamesTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingOptions().WithParameter("learnin_rate", "0.1"));
        Assert.Contains("learnin_rate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("learning_rate", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("num_leaves", "many")]
    [InlineData("learning_rate", "-1")]
    [InlineData("decline_precision", "0.1")]
    [InlineData("calibration", "magic")]
    [InlineData("price_bands", "pounds")]
    [InlineData("large_data_rows", "-1")]
    [InlineData("large_data_members", "0")]
    [InlineData("price_deciles", "maybe")]
    [InlineData("distill", "1.5")]
    [InlineData("distill", "-0.1")]
    [InlineData("distill_ensemble_mean", "perhaps")]
    [InlineData("distill_num_rounds", "-1")]
    public void BadValueIsRefusedWithItsKey(string key, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingOptions().WithParameter(key, value));
        Assert.Contains(key.Split('_')[0], ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DistillIsOffByDefaultAndOnlyForTheProductsLearner()
    {
        Assert.Equal("0", new TrainingOptions().ToParameters()["distill"]);
        Assert.Equal("false", new TrainingOptions().ToParameters()["distill_ensemble_mean"]);
        Assert.Equal("0", new TrainingOptions().ToParameters()["distill_num_rounds"]);
        Assert.Equal(0.5, new TrainingOptions().WithParameter("distill", "0.5").Distill);
        Assert.True(new TrainingOptions().WithParameter("distill_ensemble_mean", "true").DistillEnsembleMean);
        var ex = Assert.Throws<ArgumentException>(() => new TrainingOptions().WithParameter("distill", "0.5").WithParameter("learner", "fasttree"));
        Assert.Contains("distill", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("gbdt", ex.Message, StringComparison.Ordinal);
    }
}
