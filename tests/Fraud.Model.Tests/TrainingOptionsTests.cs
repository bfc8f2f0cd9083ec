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
    [InlineData("price_deciles", "maybe")]
    public void BadValueIsRefusedWithItsKey(string key, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingOptions().WithParameter(key, value));
        Assert.Contains(key.Split('_')[0], ex.Message, StringComparison.Ordinal);
    }
}
