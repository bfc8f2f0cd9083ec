using Fraud.Baskets;
using Fraud.Model;

namespace Fraud.Registry.Tests;

/// <summary>Small real models trained once per test run (seeded), so registry tests store genuine artifacts.</summary>
internal static class TestModels
{
    private static readonly Lazy<(TrainingResult Result, IReadOnlyList<Basket> Baskets)> First = new(() => Train(seed: 11));
    private static readonly Lazy<(TrainingResult Result, IReadOnlyList<Basket> Baskets)> Second = new(() => Train(seed: 12));

    public static TrainingResult A => First.Value.Result;

    public static TrainingResult B => Second.Value.Result;

    /// <summary>Baskets the models were trained on, for scoring comparisons.</summary>
    public static IReadOnlyList<Basket> Baskets => First.Value.Baskets;

    private static (TrainingResult, IReadOnlyList<Basket>) Train(int seed)
    {
        var rows = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 4000, Seed = seed }).ToList();
        var options = new TrainingOptions { Seed = seed, Threads = 1 };
        options = options with { Gbdt = options.Gbdt with { NumRounds = 15, EarlyStoppingRounds = 0 }, ImportanceSampleRows = 200 };
        var result = ModelTrainer.Train(rows.Select(r => r.Basket).ToList(), rows.Select(r => r.IsFraud).ToList(), options);
        return (result, rows.Select(r => r.Basket).ToList());
    }
}
