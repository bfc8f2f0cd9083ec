using System.CommandLine;
using System.Diagnostics;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;
using Fraud.Model.Drift;
using Fraud.Monitoring;
using Fraud.Registry.Storage;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud drift bench</c>: how the drift check reads same-population and shifted windows for one champion, and what
/// it costs on a day of prediction log. Shifts are applied to generated baskets here (resampling by category, price
/// factors, an extra line, new goods codes) plus the generator's own drift mode; nothing is tuned on them: the
/// thresholds come from permutation and sample-size theory. Figures are printed, never asserted.
/// </summary>
internal static class DriftBenchCommand
{
    private const string CardFile = "card.json";

    public static Command Create()
    {
        var modelDir = new Option<string?>("--model") { Description = "A model folder (model.json and card.json); default: train one on generated baskets here." };
        var trainRows = new Option<int>("--train-rows") { Description = "Generated training baskets (seed 1) when no --model is given.", DefaultValueFactory = _ => 20_000 };
        var windows = new Option<int>("--windows") { Description = "Same-population windows per size (generator seeds 1001, 1002, ...).", DefaultValueFactory = _ => 20 };
        var shifted = new Option<int>("--shifted-windows") { Description = "Windows per shifted scenario and size.", DefaultValueFactory = _ => 3 };
        var sizes = new Option<string>("--sizes") { Description = "Window sizes in baskets, comma-separated.", DefaultValueFactory = _ => "2000,20000" };
        var logRows = new Option<int>("--log-rows") { Description = "Records in the 24-hour prediction-log window that the check is timed on (0 skips it).", DefaultValueFactory = _ => 100_000 };
        var parameters = new Option<string[]>("--param") { Description = "Training parameter key=value (repeatable), as for fraud train." };

        var command = new Command("bench", "Verdict counts of the drift check on same-population and shifted windows, and its time on a 24-hour prediction-log window.");
        foreach (var option in new Option[] { modelDir, trainRows, windows, shifted, sizes, logRows, parameters })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, ct) =>
        {
            var sizeList = ParseSizes(parseResult.GetValue(sizes) ?? string.Empty);
            var windowCount = parseResult.GetValue(windows);
            var shiftedCount = parseResult.GetValue(shifted);
            var records = parseResult.GetValue(logRows);
            if (windowCount < 0 || shiftedCount < 0 || records < 0)
            {
                throw new CliException("--windows, --shifted-windows and --log-rows must not be negative.");
            }

            var (model, card) = LoadOrTrain(parseResult.GetValue(modelDir), parseResult.GetValue(trainRows), parseResult.GetValue(parameters) ?? []);
            var check = new DriftCheck();
            var reference = card.Reference ?? throw new CliException("The model card has no drift reference profile; retrain the model.");
            CliConsole.WriteLine(CliConsole.Invariant($"reference: {reference.Rows:N0} out-of-bag baskets ({reference.MemberCount} members), classifier sample {reference.Sample.Count:N0}"));
            CliConsole.WriteLine(CliConsole.Invariant($"{"scenario",-22} {"size",7} {"windows",7} {"ok",4} {"warn",4} {"alert",5}  {"AUC min–max",-13}  {"check s",7}  reason of the first window"));
            var mix = BasketShifts.MixFactors(reference.Sample);
            foreach (var size in sizeList)
            {
                Row(check, model, card, "same population", size, windowCount, w => Generate(size, 1001 + w, drift: false), sameSource: true);
                var scenarios = new (string Name, Func<int, List<Basket>> Make)[]
                {
                    ("product mix", s => BasketShifts.ResampleByCategory(Generate(2 * size, s, drift: false), mix, size, s)),
                    ("prices +10 %", s => BasketShifts.ScalePrices(Generate(size, s, drift: false), 1.10)),
                    ("prices +15 %", s => BasketShifts.ScalePrices(Generate(size, s, drift: false), 1.15)),
                    ("basket +1 line", s => BasketShifts.AddLine(Generate(size, s, drift: false), s)),
                    ("20 % unseen codes", s => BasketShifts.NewGoodsCodes(Generate(size, s, drift: false), 0.2, s)),
                    ("generator --drift", s => Generate(size, s, drift: true)),
                };
                foreach (var (name, make) in scenarios)
                {
                    ct.ThrowIfCancellationRequested();
                    Row(check, model, card, name, size, shiftedCount, w => make(5001 + w));
                }
            }

            if (records > 0)
            {
                await TimeLogWindowAsync(model, card, records, ct);
            }

            return 0;
        });
        return command;
    }

    private static void Row(DriftCheck check, FraudModel model, ModelCard card, string scenario, int size, int windows, Func<int, List<Basket>> make, bool sameSource = false)
    {
        if (windows == 0)
        {
            return;
        }

        int ok = 0, warn = 0, alert = 0;
        double minAuc = double.NaN, maxAuc = double.NaN, seconds = 0;
        string? firstReason = null;
        var falseAlarms = new List<string>();
        var aucs = new List<double>();
        double nullStds = 0;
        for (var w = 0; w < windows; w++)
        {
            var baskets = make(w);
            var clock = Stopwatch.StartNew();
            var report = check.Run(model, card, "bench", baskets, scenario);
            seconds += clock.Elapsed.TotalSeconds;
            ok += report.Verdict == DriftStatus.Ok ? 1 : 0;
            warn += report.Verdict == DriftStatus.Warn ? 1 : 0;
            alert += report.Verdict == DriftStatus.Alert ? 1 : 0;
            if (report.Classifier is { Skipped: null } c)
            {
                minAuc = double.IsNaN(minAuc) ? c.Auc : Math.Min(minAuc, c.Auc);
                maxAuc = double.IsNaN(maxAuc) ? c.Auc : Math.Max(maxAuc, c.Auc);
                aucs.Add(c.Auc);
                nullStds += c.NullStd;
            }

            firstReason ??= report.Verdict + ": " + report.Reason;
            if (sameSource && report.Verdict != DriftStatus.Ok)
            {
                // A verdict other than ok on the training population is a false alarm: say what raised it, so that
                // a threshold that misfires can be traced to the test behind it.
                falseAlarms.Add(CliConsole.Invariant($"   window {w + 1}: {report.Verdict}: {report.Reason} (classifier AUC {report.Classifier?.Auc:F3}, warning from {report.Classifier?.WarnAuc:F3}; drifted inputs {report.DriftedInputs}, drifted features {report.DriftedFeatures}, score {report.ScoreStatus})"));
            }
        }

        CliConsole.WriteLine(CliConsole.Invariant($"{scenario,-22} {size,7} {windows,7} {ok,4} {warn,4} {alert,5}  {minAuc,5:F3}–{maxAuc,5:F3}    {seconds / Math.Max(1, windows),7:F2}  {firstReason}"));
        if (sameSource && aucs.Count > 1)
        {
            // The classifier's thresholds assume a no-drift AUC spread (calibrated per window); the same-population
            // windows show the spread actually met, which is what the false-alarm rate depends on.
            var mean = aucs.Average();
            var sd = Math.Sqrt(aucs.Sum(a => (a - mean) * (a - mean)) / (aucs.Count - 1));
            CliConsole.WriteLine(CliConsole.Invariant($"   classifier AUC over these windows: mean {mean:F4}, sd {sd:F4}; no-drift sd the test assumed: {nullStds / aucs.Count:F4} on average"));
        }

        foreach (var line in falseAlarms)
        {
            CliConsole.WriteLine(line);
        }
    }

    private static List<Basket> Generate(int rows, int seed, bool drift) =>
        [.. SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = seed, Drift = drift }).Select(b => b.Basket)];

    private static (FraudModel Model, ModelCard Card) LoadOrTrain(string? folder, int rows, string[] parameters)
    {
        if (folder is not null)
        {
            var model = ModelFolder.Load(folder);
            var cardPath = Path.Combine(Directory.Exists(folder) ? folder : Path.GetDirectoryName(folder) ?? ".", CardFile);
            if (!File.Exists(cardPath))
            {
                throw new CliException($"--model: no {CardFile} beside the model at {folder}");
            }

            try
            {
                using var stream = File.OpenRead(cardPath);
                return (model, ModelCard.Load(stream));
            }
            catch (ModelFormatException ex)
            {
                throw new CliException($"--model: {cardPath}: {ex.Message}");
            }
        }

        if (rows < 2000)
        {
            throw new CliException("--train-rows must be at least 2000.");
        }

        var options = TrainCommand.BuildOptions(1, parameters);
        var data = SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = 1 }).ToList();
        var clock = Stopwatch.StartNew();
        var result = ModelTrainer.Train(data.ConvertAll(d => d.Basket), data.ConvertAll(d => d.IsFraud), options);
        CliConsole.WriteLine(CliConsole.Invariant($"champion: trained on {rows:N0} generated baskets (seed 1) in {clock.Elapsed.TotalSeconds:F1} s, {result.Model.Members.Count} members, {result.Model.FeatureCount} features"));
        return (result.Model, result.Card);
    }

    /// <summary>
    /// Writes <paramref name="records"/> scored baskets over the last 24 hours into a fresh file store through the real
    /// prediction log, then times reading that window and checking it, beside scoring the same baskets (the reference
    /// measured in the same run, since absolute times on shared cores move).
    /// </summary>
    private static async Task TimeLogWindowAsync(FraudModel model, ModelCard card, int records, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"fraud-drift-bench-{Guid.NewGuid():N}");
        try
        {
            var store = new FileBlobStore(folder);
            var baskets = Generate(records, 9001, drift: false);
            var now = DateTimeOffset.UtcNow;
            // The byte bound is the handler's guard against an outage; here every record must reach the window
            // (with the default 64 MiB bound about 30 % of 100,000 were dropped and the check was timed on 69,596).
            await using (var log = new BufferedPredictionLog(store, new PredictionLogOptions { Capacity = records + 1, MaxBufferBytes = long.MaxValue, FlushInterval = TimeSpan.FromHours(1) }))
            {
                for (var i = 0; i < baskets.Count; i++)
                {
                    var at = now - TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1 + (86_000.0 * i / baskets.Count));
                    if (!log.TryWrite(new PredictionRecord(baskets[i], 0.01, Decision.Approve, "bench", at, "bench")))
                    {
                        throw new CliException($"The prediction log refused record {i + 1} of {records:N0}; the window would be short.");
                    }
                }
            }

            var clock = Stopwatch.StartNew();
            var window = await MonitoringCli.ReadWindowAsync(store, now - TimeSpan.FromHours(24), now, ct);
            var read = clock.Elapsed.TotalSeconds;
            var current = window.ConvertAll(r => r.Basket);
            clock.Restart();
            var report = new DriftCheck().Run(model, card, "bench", current, "prediction log, last 24h");
            var checkSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var scores = new double[current.Count];
            model.ScoreMany(current, scores, 0);
            var scoreSeconds = clock.Elapsed.TotalSeconds;
            CliConsole.WriteLine(CliConsole.Invariant($"24-hour prediction-log window of {current.Count:N0} records: read {read:F2} s; drift check {checkSeconds:F2} s ({report.Verdict}, classifier AUC {report.Classifier?.Auc:F3}); scoring the same baskets once {scoreSeconds:F2} s (check = {checkSeconds / scoreSeconds:F1} × scoring)"));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static int[] ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 100)
            {
                throw new CliException($"--sizes: expected window sizes of at least 100 baskets separated by commas, not '{text}'.");
            }
        }

        return sizes.Length == 0 ? throw new CliException("--sizes: give at least one window size.") : sizes;
    }
}
