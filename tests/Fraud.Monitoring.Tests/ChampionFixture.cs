using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;

namespace Fraud.Monitoring.Tests;

/// <summary>
/// One small but real champion for a test class: trained on generated baskets (seed 11) with few rounds so it
/// takes seconds, registered in a file store with its base training set stored, as a deployment would leave it.
/// Tests copy nothing from it but the trained result; each builds its own store from <see cref="NewStoreAsync"/>.
/// </summary>
public sealed class ChampionFixture
{
    public const int TrainingRows = 8000;

    public ChampionFixture()
    {
        var data = SyntheticBaskets.Generate(new GeneratorOptions { Rows = TrainingRows, Seed = 11 }).ToList();
        Baskets = data.ConvertAll(d => d.Basket);
        Labels = data.ConvertAll(d => d.IsFraud);
        Result = ModelTrainer.Train(Baskets, Labels, Options);
    }

    /// <summary>Quick but real training: the same pipeline, fewer rounds.</summary>
    public static TrainingOptions Options { get; } = new TrainingOptions { Seed = 5, Threads = 2 }
        .WithParameter("num_rounds", "60")
        .WithParameter("early_stopping_rounds", "15");

    public List<Basket> Baskets { get; }

    public List<bool> Labels { get; }

    public TrainingResult Result { get; }

    /// <summary>A fresh store holding the champion (version 1) and the base training set.</summary>
    public async Task<(TempStore Temp, ModelRegistry Registry)> NewStoreAsync()
    {
        var temp = new TempStore();
        var registry = new ModelRegistry(temp.Store);
        await registry.RegisterAsync(Result, new RegistrationInfo(Source: "test"));
        await new TrainingDataStore(temp.Store).SaveBaseAsync(Baskets, Labels, "generated seed 11");
        return (temp, registry);
    }
}
