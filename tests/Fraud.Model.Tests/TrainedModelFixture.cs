using Fraud.Baskets;
using Fraud.Model;

namespace Fraud.Model.Tests;

/// <summary>One small model trained once on generated baskets and shared by the tests that only read it.</summary>
public sealed class TrainedModelFixture
{
    public TrainedModelFixture()
    {
        var train = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 20_000, Seed = 11 }).ToList();
        var test = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 20_000, Seed = 12 }).ToList();
        TrainBaskets = [.. train.Select(t => t.Basket)];
        TrainLabels = [.. train.Select(t => t.IsFraud)];
        TestBaskets = [.. test.Select(t => t.Basket)];
        TestLabels = [.. test.Select(t => t.IsFraud)];
        Options = new TrainingOptions { Seed = 5 }.WithParameter("num_rounds", "150").WithParameter("early_stopping_rounds", "40");
        Result = ModelTrainer.Train(TrainBaskets, TrainLabels, Options);
    }

    public TrainingOptions Options { get; }

    public List<Basket> TrainBaskets { get; }

    public bool[] TrainLabels { get; }

    public List<Basket> TestBaskets { get; }

    public bool[] TestLabels { get; }

    public TrainingResult Result { get; }

    public FraudModel Model => Result.Model;
}
