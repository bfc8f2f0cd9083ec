using System.Diagnostics;
using System.Globalization;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;
using Fraud.Registry.Serving;
using FraudFunctions.Hosting;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Composition;

/// <summary>
/// Standalone first run: when the store has no champion, trains one on generated baskets and registers it (the first
/// registered version becomes champion), so a fresh clone serves scores after one command. Training runs in the
/// background after the server listens: meanwhile <c>/api/health</c> answers 503 "starting" with the stage reached,
/// and the champion is loaded the moment it is registered. Off under the Functions host and when
/// <c>Fraud__BootstrapTrainingRows</c> is 0; a store that already has a champion costs one read.
/// </summary>
public sealed class ChampionBootstrapper(
    ModelRegistry registry,
    ChampionProvider provider,
    BootstrapProgress progress,
    IOptions<FraudOptions> options,
    HandlerMode mode,
    ILogger<ChampionBootstrapper> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Fixed so that every fresh clone trains the same first model.</summary>
    public const int Seed = 1;

    private readonly CancellationTokenSource _stopping = new();
    private Task _training = Task.CompletedTask;
    private int _disposed;

    /// <summary>Completes when the bootstrap has finished (or was not needed); for tests and the probe command.</summary>
    public Task Completion => _training;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var rows = options.Value.BootstrapTrainingRows;
        if (mode.UnderHost || rows == 0)
        {
            return Task.CompletedTask;
        }

        // Say what is starting before the slow part: the champion check may wait on a slow store.
        progress.Report("checking the store for a champion model");
        _training = Task.Run(() => RunAsync(rows, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The container may have disposed this instance already (a host that failed to start still runs StopAsync), or
        // dispose it while this runs (a test host seen once: DisposeAsync between the check and the cancel); either way
        // DisposeAsync cancelled training first and there is nothing left to signal.
        if (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                await _stopping.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        try
        {
            await _training.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered once but resolved as a hosted service too, so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private async Task RunAsync(int rows, CancellationToken ct)
    {
        try
        {
            if (await registry.GetAliasAsync(ModelAliases.Champion, ct) is not null)
            {
                return;
            }

            // Console output, not only logs: this is the one slow start a developer watches.
            var clock = Stopwatch.StartNew();
            Console.WriteLine($"No champion model in {registry.Store.Description}: training a first one on {rows:N0} generated baskets (seed {Seed}); /api/health answers 503 \"starting\" until it is ready.");
            progress.Report($"training the first model: generating {rows:N0} baskets");
            var generated = SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = Seed }).ToList();
            var baskets = generated.Select(g => g.Basket).ToList();
            var labels = generated.Select(g => g.IsFraud).ToList();
            var printer = new ThrottledProgress(clock, progress);
            var result = await Task.Run(
                () => ModelTrainer.Train(baskets, labels, new TrainingOptions { Seed = Seed }, printer.Report, ct),
                ct);
            progress.Report("training the first model: registering it");
            var info = await registry.RegisterAsync(
                result,
                new RegistrationInfo(Source: "handler bootstrap", Description: $"First champion trained at start-up on {rows} generated baskets (seed {Seed})."),
                ct);
            await provider.RefreshAsync(ct);
            Console.WriteLine($"Registered {registry.ModelName} version {info.Version} (PR-AUC {info.PrAuc:F3} on held-out baskets) in {clock.Elapsed.TotalSeconds:F1} s; now serving it.");
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Bootstrapped champion version {Version}", info.Version);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.WriteLine("Stopped before the first model was trained; it trains again at the next start.");
        }
        catch (Exception ex)
        {
            // Serving nothing is better than dying: health says why, and the next start tries again.
            logger.LogError(ex, "Training the first model failed");
            Console.Error.WriteLine($"Training the first model failed: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            progress.Report(null);
        }
    }

    // Every stage change is printed, but a stage's repeated updates (one per boosting round) at most once a second.
    private sealed class ThrottledProgress(Stopwatch clock, BootstrapProgress progress)
    {
        private string? _stage;
        private TimeSpan _printedAt;

        public void Report(TrainingProgress p)
        {
            progress.Report(string.Create(CultureInfo.InvariantCulture, $"training the first model ({clock.Elapsed.TotalSeconds:F0} s): {p.Stage}: {p.Detail}"));
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
