using System.Diagnostics;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;
using FraudFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Composition;

/// <summary>
/// Standalone first run: when the store has no champion, trains one on generated baskets and registers it (the first
/// registered version becomes champion), so a fresh clone serves scores after one command. Off under the Functions
/// host and when <c>Fraud__BootstrapTrainingRows</c> is 0; a store that already has a champion costs one read.
/// </summary>
public sealed class ChampionBootstrapper(
    ModelRegistry registry,
    IOptions<FraudOptions> options,
    HandlerMode mode,
    ILogger<ChampionBootstrapper> logger) : IHostedService
{
    /// <summary>Fixed so that every fresh clone trains the same first model.</summary>
    public const int Seed = 1;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rows = options.Value.BootstrapTrainingRows;
        if (mode.UnderHost || rows == 0)
        {
            return;
        }

        if (await registry.GetAliasAsync(ModelAliases.Champion, cancellationToken) is not null)
        {
            return;
        }

        // Console output, not only logs: this is the one slow start a developer watches.
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"No champion model in {registry.Store.Description}: training a first one on {rows:N0} generated baskets (seed {Seed}).");
        var generated = SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = Seed }).ToList();
        var baskets = generated.Select(g => g.Basket).ToList();
        var labels = generated.Select(g => g.IsFraud).ToList();
        var progress = new ThrottledProgress(clock);
        var result = await Task.Run(
            () => ModelTrainer.Train(baskets, labels, new TrainingOptions { Seed = Seed }, progress.Report, cancellationToken),
            cancellationToken);
        var info = await registry.RegisterAsync(
            result,
            new RegistrationInfo(Source: "handler bootstrap", Description: $"First champion trained at start-up on {rows} generated baskets (seed {Seed})."),
            cancellationToken);
        Console.WriteLine($"Registered {registry.ModelName} version {info.Version} (PR-AUC {info.PrAuc:F3} on held-out baskets) in {clock.Elapsed.TotalSeconds:F1} s.");
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Bootstrapped champion version {Version}", info.Version);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Every stage change is printed, but a stage's repeated updates (one per boosting round) at most once a second.
    private sealed class ThrottledProgress(Stopwatch clock)
    {
        private string? _stage;
        private TimeSpan _printedAt;

        public void Report(TrainingProgress p)
        {
            if (p.Stage == _stage && clock.Elapsed - _printedAt < TimeSpan.FromSeconds(1))
            {
                return;
            }

            _stage = p.Stage;
            _printedAt = clock.Elapsed;
            Console.WriteLine($"  [{clock.Elapsed.TotalSeconds,5:F1} s] {p.Stage}: {p.Detail}");
        }
    }
}
