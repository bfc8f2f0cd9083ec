using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Registry;
using Spectre.Console;

namespace Fraud.Cli.Commands;

/// <summary><c>fraud runs list | show ID | compare A B</c>: the tracked training, tuning and monitoring runs in the store.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var command = new Command("runs", "Tracked runs: list them, show one, compare two (metrics side by side, PR curves in one HTML report).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Compare());
        return command;
    }

    private static (Option<string?> Store, Option<bool> Json) AddCommon(Command command)
    {
        var store = StoreCli.StoreOption();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        command.Options.Add(store);
        command.Options.Add(json);
        return (store, json);
    }

    private static Command List()
    {
        var kind = new Option<string?>("--kind") { Description = "Only runs of this kind (train, tune, tune-trial, monitor, ...)." };
        var limit = new Option<int>("--limit") { Description = "Newest runs to show.", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "List runs, newest first.");
        command.Options.Add(kind);
        command.Options.Add(limit);
        var (store, json) = AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            if (parse.GetValue(limit) < 1)
            {
                throw new CliException("--limit must be at least 1.");
            }

            var tracker = new RunTracker(StoreCli.OpenStore(parse.GetValue(store)));
            var runs = (await tracker.ListAsync(ct))
                .Where(r => parse.GetValue(kind) is not { } k || string.Equals(r.Kind, k, StringComparison.OrdinalIgnoreCase))
                .Take(parse.GetValue(limit))
                .ToList();
            if (parse.GetValue(json))
            {
                CliConsole.WriteLine(JsonSerializer.Serialize(runs, RunJsonContext.Default.ListRunRecord));
                return;
            }

            if (runs.Count == 0)
            {
                CliConsole.WriteLine($"No runs in {tracker.Store.Description}.");
                return;
            }

            var table = new Table().Title($"runs in {Markup.Escape(tracker.Store.Description)}");
            table.AddColumns("run", "kind", "status", "started (UTC)", "seconds", "PR-AUC", "rows", "registered");
            foreach (var r in runs)
            {
                table.AddRow(
                    r.Id,
                    Markup.Escape(r.Kind),
                    r.Status,
                    r.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Seconds(r.DurationSeconds),
                    RunComparison.F(HeadlineMetric(r)),
                    r.Dataset?.Rows.ToString("N0", CultureInfo.InvariantCulture) ?? "–",
                    r.RegisteredVersion ?? "–");
            }

            StoreCli.Write(table);
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("run") { Description = "Run id (from `fraud runs list`)." };
        var command = new Command("show", "Show one run: parameters, metrics, timings, data, environment and artifacts.");
        command.Arguments.Add(id);
        var (store, json) = AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var tracker = new RunTracker(StoreCli.OpenStore(parse.GetValue(store)));
            var run = await Load(tracker, parse.GetValue(id)!, ct);
            if (parse.GetValue(json))
            {
                CliConsole.WriteLine(JsonSerializer.Serialize(run, RunJsonContext.Default.RunRecord));
                return;
            }

            var table = new Table().HideHeaders().AddColumn("field").AddColumn("value").Title($"run {Markup.Escape(run.Id)}");
            void Row(string name, string? value) => table.AddRow(Markup.Escape(name), Markup.Escape(value ?? "–"));
            Row("kind", run.Kind);
            Row("status", run.Error is null ? run.Status : $"{run.Status}: {run.Error}");
            Row("started", run.StartedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
            Row("duration (s)", Seconds(run.DurationSeconds));
            Row("parent run", run.ParentRunId);
            Row("registered version", run.RegisteredVersion);
            Row("data", run.Dataset is { } d ? CliConsole.Invariant($"{d.Rows:N0} rows, fraud rate {(d.FraudRate is { } rate ? Percent.Format(rate) : "–")}, fingerprint {d.Fingerprint}") : null);
            foreach (var (name, value) in run.Parameters)
            {
                Row("param " + name, value);
            }

            foreach (var (name, value) in run.Metrics)
            {
                var history = run.MetricHistory.TryGetValue(name, out var points) ? CliConsole.Invariant($" ({points.Count} steps)") : string.Empty;
                Row("metric " + name, RunComparison.F(value) + history);
            }

            foreach (var (name, seconds) in run.Timings)
            {
                Row("time " + name, RunComparison.F(seconds) + " s");
            }

            foreach (var (name, value) in run.Environment)
            {
                Row("env " + name, value);
            }

            Row("artifacts", run.Artifacts.Count == 0 ? null : string.Join(", ", run.Artifacts));
            StoreCli.Write(table);
        }));
        return command;
    }

    private static Command Compare()
    {
        var a = new Argument<string>("a") { Description = "First run id." };
        var b = new Argument<string>("b") { Description = "Second run id." };
        var output = new Option<string?>("--output", "-o") { Description = "HTML report path (default compare-<a>-<b>.html in the current folder)." };
        var command = new Command("compare", "Compare two runs: metrics side by side and both PR curves in one HTML report.");
        command.Arguments.Add(a);
        command.Arguments.Add(b);
        command.Options.Add(output);
        var (store, json) = AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var tracker = new RunTracker(StoreCli.OpenStore(parse.GetValue(store)));
            var ra = await Load(tracker, parse.GetValue(a)!, ct);
            var rb = await Load(tracker, parse.GetValue(b)!, ct);
            var metrics = RunComparison.Metrics(ra, rb);
            var html = RunComparison.ToHtml(ra, rb, await Curve(tracker, ra, ct), await Curve(tracker, rb, ct));
            var path = Path.GetFullPath(parse.GetValue(output) ?? $"compare-{ra.Id}-{rb.Id}.html");
            try
            {
                await File.WriteAllTextAsync(path, html, ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
            {
                throw new CliException($"--output: cannot write {path}: {ex.Message}");
            }

            if (parse.GetValue(json))
            {
                var rows = metrics.ToDictionary(m => m.Name, m => new[] { m.A ?? double.NaN, m.B ?? double.NaN });
                CliConsole.WriteLine(JsonSerializer.Serialize(rows, RunsCliJson.Default.DictionaryStringDoubleArray));
                return;
            }

            var table = new Table().Title($"{Markup.Escape(ra.Id)} (A) vs {Markup.Escape(rb.Id)} (B)");
            table.AddColumns("metric", "A", "B", "B - A");
            foreach (var m in metrics)
            {
                table.AddRow(Markup.Escape(m.Name), RunComparison.F(m.A), RunComparison.F(m.B), RunComparison.F(m.Delta));
            }

            foreach (var (name, va, vb) in RunComparison.ParameterDifferences(ra, rb))
            {
                table.AddRow(Markup.Escape("param " + name), Markup.Escape(va ?? "–"), Markup.Escape(vb ?? "–"), string.Empty);
            }

            StoreCli.Write(table);
            CliConsole.WriteLine($"wrote {path}");
        }));
        return command;
    }

    private static async Task<RunRecord> Load(RunTracker tracker, string id, CancellationToken ct) =>
        await tracker.GetAsync(id, ct) ?? throw new CliException($"no run {id} in {tracker.Store.Description}; `fraud runs list` shows the runs.");

    private static async Task<PrCurve?> Curve(RunTracker tracker, RunRecord run, CancellationToken ct)
    {
        if (!run.Artifacts.Contains(PrCurve.ArtifactName))
        {
            return null;
        }

        var bytes = await tracker.GetArtifactAsync(run.Id, PrCurve.ArtifactName, ct);
        return bytes is null ? null : JsonSerializer.Deserialize(bytes.Value.Span, RunJsonContext.Default.PrCurve);
    }

    /// <summary>The metric a reader looks at first: held-out PR-AUC of a tuning trial, else of training.</summary>
    internal static double? HeadlineMetric(RunRecord run) =>
        run.Metrics.TryGetValue("holdout_pr_auc", out var holdout) ? holdout
        : run.Metrics.TryGetValue("best_holdout_pr_auc", out var best) ? best
        : run.Metrics.TryGetValue("test_pr_auc", out var test) ? test
        : null;

    /// <summary>A run's duration as people read it: tenths of a second (117.6), not the stored 117.5737.</summary>
    internal static string Seconds(double? seconds) =>
        seconds is { } s && double.IsFinite(s) ? s.ToString("0.0", CultureInfo.InvariantCulture) : "–";
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, double[]>))]
internal sealed partial class RunsCliJson : System.Text.Json.Serialization.JsonSerializerContext
{
}

/// <summary>
/// What `fraud train` adds around its training: a tracked run in the store (started before training, so an
/// unreachable store is known early) and, with <c>--register</c>, a registry version. Tracking problems without
/// <c>--register</c> only warn: the model files are already written and must not be lost over a tracking failure.
/// </summary>
internal sealed class TrainRecording
{
    private readonly TrackedRun? _run;
    private readonly ModelRegistry? _registry;
    private readonly Action<string> _log;

    private TrainRecording(TrackedRun? run, ModelRegistry? registry, Action<string> log)
    {
        _run = run;
        _registry = registry;
        _log = log;
    }

    public static async Task<TrainRecording> StartAsync(string? storeSpec, bool register, IReadOnlyDictionary<string, string> parameters, Action<string> log, CancellationToken ct)
    {
        try
        {
            var store = StoreCli.OpenStore(storeSpec);
            var run = await new RunTracker(store).StartRunAsync("train", parameters, ct: ct);
            return new TrainRecording(run, register ? new ModelRegistry(store) { Actor = StoreCli.Actor } : null, log);
        }
        catch (Exception ex) when (!register && ex is Fraud.Registry.Storage.BlobStoreException or IOException or UnauthorizedAccessException)
        {
            log($"warning: not tracking this run: {ex.Message}");
            return new TrainRecording(null, null, log);
        }
        catch (Fraud.Registry.Storage.BlobStoreException ex)
        {
            throw new CliException($"--store: {ex.Message}");
        }
    }

    public async Task CompleteAsync(TrainOutcome outcome, string dataPath, CancellationToken ct)
    {
        if (_run is null)
        {
            return;
        }

        try
        {
            await _run.RecordResultAsync(outcome.Result, curve: null, ct);
            _run.SetDataset(outcome.Result.Card.DataFingerprint, outcome.Result.Card.Rows, outcome.Result.Card.FraudRate, Path.GetFileName(dataPath));
            _run.LogTiming("end_to_end", outcome.Elapsed);
            if (_registry is not null)
            {
                var version = await _registry.RegisterAsync(outcome.Result, new RegistrationInfo(RunId: _run.RunId, Source: "fraud train", SkipIdentical: true), ct);
                _run.SetRegisteredVersion(version.Version);
                var champion = await _registry.GetAliasAsync(ModelAliases.Champion, ct);
                _log(version.AlreadyRegistered
                    ? $"not registered again: this model is identical to {_registry.ModelName} version {version.Version} (model id {version.ModelId}); no new version created"
                    : $"registered {_registry.ModelName} version {version.Version}{(champion?.Version == version.Version ? " (champion: first model registered)" : string.Empty)}");
            }

            await _run.CompleteAsync(ct: ct);
            _log($"tracked as run {_run.RunId} in {_run.StoreDescription}");
        }
        catch (Exception ex) when (_registry is null && ex is Fraud.Registry.Storage.BlobStoreException or IOException)
        {
            _log($"warning: the run could not be recorded: {ex.Message}");
        }
    }

    public async Task FailAsync(Exception error)
    {
        if (_run is not null)
        {
            try
            {
                await _run.FailAsync(error.Message.Split('\n')[0], CancellationToken.None);
            }
            catch (Exception ex) when (ex is Fraud.Registry.Storage.BlobStoreException or IOException)
            {
                _log($"warning: the failed run could not be recorded: {ex.Message}");
            }
        }
    }
}
