using System.CommandLine;
using System.Globalization;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;
using Fraud.Model.Drift;
using Fraud.Monitoring;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud drift</c>: compares the prediction log's recent window (or a CSV of current baskets) with the champion's
/// reference profile and prints the verdict, or the whole report as JSON with <c>--json</c>.
/// </summary>
internal static class DriftCommand
{
    public static Command Create()
    {
        var store = MonitoringCli.StoreOption();
        var modelName = MonitoringCli.ModelNameOption();
        var window = new Option<string?>("--window") { Description = "How far back to read the prediction log, such as 24h, 90m or 7d (default 24h)." };
        var input = new Option<string?>("--input", "-i") { Description = "Check a CSV of current baskets (challenge format) instead of the prediction log." };
        var version = new Option<string?>("--version") { Description = "Compare against this registered version instead of the champion." };
        var json = new Option<bool>("--json") { Description = "Print the full report as JSON (top-level verdict, reason, datasetDrift = verdict is alert, classifier, scorePsi, inputs, features)." };
        var output = new Option<string?>("--output", "-o") { Description = "Also write drift-report.json and drift-report.html into this folder." };
        var failOnDrift = new Option<bool>("--fail-on-drift") { Description = "Exit with code 3 when the check raises a drift alert." };
        var shareOption = new Option<double?>("--dataset-drift-share") { Description = "Share of drifted input signals (or of the model's importance carried by drifted features) from which the verdict is alert (default 0.5)." };

        var command = new Command("drift", "Check the prediction log's recent window, or a CSV of current baskets, for drift against the champion's training data.");
        foreach (var option in new Option[] { store, modelName, window, input, version, json, output, failOnDrift, shareOption })
        {
            command.Options.Add(option);
        }

        command.Subcommands.Add(DriftBenchCommand.Create());
        command.SetAction(async (parseResult, ct) =>
        {
            var windowText = parseResult.GetValue(window);
            var inputPath = parseResult.GetValue(input);
            if (windowText is not null && inputPath is not null)
            {
                throw new CliException("--window and --input exclude each other: check the prediction log or a file, not both.");
            }

            var options = new DriftOptions();
            if (parseResult.GetValue(shareOption) is { } share)
            {
                if (share is <= 0 or > 1)
                {
                    throw new CliException($"--dataset-drift-share must be in (0, 1], not {share.ToString(CultureInfo.InvariantCulture)}.");
                }

                options = options with { DatasetDriftShare = share };
            }

            // Options are checked before the store is touched, so a typo fails fast whatever the store holds.
            var span = inputPath is null ? MonitoringCli.ParseDuration(windowText ?? "24h", "--window") : TimeSpan.Zero;
            var blobStore = MonitoringCli.OpenStore(parseResult.GetValue(store));
            var registry = new ModelRegistry(blobStore, parseResult.GetValue(modelName) ?? ModelRegistry.DefaultModelName);
            var (model, card, modelVersion) = await MonitoringCli.LoadModelAsync(registry, parseResult.GetValue(version), ct);

            IReadOnlyList<Basket> baskets;
            IReadOnlyDictionary<string, FraudLabel>? labels = null;
            string source;
            if (inputPath is not null)
            {
                var path = CliOptions.ExistingFile(inputPath, "--input");
                baskets = MonitoringCli.ReadCsv(path);
                source = $"file {Path.GetFileName(path)}";
            }
            else
            {
                var now = DateTimeOffset.UtcNow;
                var records = await MonitoringCli.ReadWindowAsync(blobStore, now - span, now, ct);
                baskets = records.ConvertAll(r => r.Basket);
                labels = LabelStore.LatestById(await new LabelStore(blobStore).ReadAllAsync(ct));
                source = $"prediction log, last {windowText ?? "24h"}";
            }

            var report = new DriftCheck(options).Run(model, card, modelVersion, baskets, source, labels);
            if (parseResult.GetValue(output) is { } folder)
            {
                var dir = CliOptions.OutputDirectory(folder, "--output");
                await File.WriteAllTextAsync(Path.Combine(dir, "drift-report.json"), report.ToJson(), ct);
                await File.WriteAllTextAsync(Path.Combine(dir, "drift-report.html"), DriftReportHtml.Render(report), ct);
            }

            if (parseResult.GetValue(json))
            {
                CliConsole.WriteLine(report.ToJson());
            }
            else
            {
                PrintSummary(report);
            }

            return report.Alert && parseResult.GetValue(failOnDrift) ? 3 : 0;
        });
        return command;
    }

    private static void PrintSummary(DriftReport report)
    {
        CliConsole.WriteLine(CliConsole.Invariant($"Drift check of {report.CurrentRows} baskets ({report.Source}) against model {report.ModelVersion} (reference: {report.ReferenceRows} baskets)"));
        CliConsole.WriteLine(CliConsole.Invariant($"verdict: {report.Verdict.ToUpperInvariant()}: {report.Reason}"));
        CliConsole.WriteLine(CliConsole.Invariant($"dataset drift: {(report.DatasetDrift ? "YES" : "no")} (drift alert {(report.Alert ? "raised" : "not raised")})"));
        if (report.Classifier is { Skipped: null } classifier)
        {
            var top = string.Join(", ", classifier.TopFeatures.Select(f => CliConsole.Invariant($"{f.Name} {f.Share:P0}")));
            CliConsole.WriteLine(CliConsole.Invariant($"classifier test: AUC {classifier.Auc:F3} (warn from {classifier.WarnAuc:F3}, alert from {classifier.AlertAuc:F3}; {classifier.ReferenceRows} reference vs {classifier.CurrentRows} current rows); top features: {top}"));
        }

        CliConsole.WriteLine(CliConsole.Invariant($"inputs: {DriftReportHtml.DriftedText(report)} ({report.DriftedShare:P0} of {report.DatasetDriftBasis}, alert from {report.DatasetDriftShare:P0})"));
        if (report.DriftedImportanceShare is { } importanceShare)
        {
            CliConsole.WriteLine(CliConsole.Invariant($"model importance carried by drifted features: {importanceShare:P0} (plain share of features {report.DriftedFeatureShare:P0})"));
        }

        CliConsole.WriteLine(CliConsole.Invariant($"score PSI {report.ScorePsi:F4} (expected under no drift {report.Score.ExpectedPsi:F4}; {report.ScoreStatus})"));
        var labelled = report.LabelledFraudRate is { } rate ? CliConsole.Invariant($"; observed fraud rate {Percent.Format(rate)} among {report.LabelledRows} labelled baskets") : string.Empty;
        // The "observed" figure is the model's mean predicted probability, not a fraud rate anyone observed (issue 19,
        // item 5); only labels give an observed rate.
        CliConsole.WriteLine(CliConsole.Invariant($"mean predicted fraud probability: {Percent.Format(report.ObservedFraudRate)} now vs {Percent.Format(report.ExpectedFraudRate)} on the reference{labelled}"));
        foreach (var warning in report.Warnings)
        {
            CliConsole.WriteLine("warning: " + warning);
        }

        if (report.Inputs.Count > 0)
        {
            CliConsole.WriteLine("input signals by PSI:");
            foreach (var input in report.Inputs)
            {
                CliConsole.WriteLine(CliConsole.Invariant($"  {input.Name,-36} PSI {input.Psi,8:F4}  {input.Status}"));
            }
        }

        CliConsole.WriteLine("top model features by PSI:");
        foreach (var feature in report.Features.Take(8))
        {
            var ks = feature.Ks is { } d ? CliConsole.Invariant($"  KS {d:F3}") : string.Empty;
            CliConsole.WriteLine(CliConsole.Invariant($"  {feature.Name,-36} PSI {feature.Psi,8:F4}{ks}  {feature.Status}"));
        }
    }
}

/// <summary>Options and loading steps shared by <c>drift</c>, <c>monitor</c> and <c>simulate</c>, each failing with one clear line.</summary>
internal static class MonitoringCli
{
    public static Option<string?> StoreOption() => new("--store")
    {
        Description = "The store: a folder, UseDevelopmentStorage=true, a connection string or https://<account>.blob.core.windows.net (default .fraud).",
    };

    public static Option<string?> ModelNameOption() => new("--model-name") { Description = "Registry model name (default basket-fraud)." };

    public static IBlobStore OpenStore(string? spec)
    {
        try
        {
            return BlobStoreFactory.Create(spec);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--store: {ex.Message}");
        }
    }

    /// <summary>The champion (or <paramref name="version"/>) with its card and version.</summary>
    public static async Task<(FraudModel Model, ModelCard Card, string Version)> LoadModelAsync(ModelRegistry registry, string? version, CancellationToken ct)
    {
        try
        {
            var chosen = version ?? (await registry.GetAliasAsync(ModelAliases.Champion, ct))?.Version
                ?? throw new CliException($"{registry.Store.Description} has no champion for {registry.ModelName}: train and register a model first.");
            var (model, card) = await registry.LoadAsync(chosen, ct);
            return (model, card, chosen);
        }
        catch (Exception ex) when (ex is RegistryException or ModelFormatException or BlobStoreException)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>Reads a challenge-format CSV of baskets, failing with the file's line and column.</summary>
    /// <remarks>
    /// A bad row is a <see cref="BasketCsvException"/>: a <see cref="FormatException"/> whose message already names the
    /// file, which <see cref="CliRunner"/> prints as one line.
    /// </remarks>
    public static List<Basket> ReadCsv(string path) => [.. BasketCsv.ReadBaskets(path)];

    public static async Task<List<PredictionRecord>> ReadWindowAsync(IBlobStore store, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var records = new List<PredictionRecord>();
        await foreach (var record in new PredictionLogReader(store).ReadWindowAsync(from, to, ct))
        {
            records.Add(record);
        }

        return records;
    }

    /// <summary>Parses <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>.</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2
            && double.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
            && amount > 0 && double.IsFinite(amount))
        {
            TimeSpan? span = char.ToLowerInvariant(trimmed[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (span is { } value && value <= TimeSpan.FromDays(3650))
            {
                return value;
            }
        }

        throw new CliException($"{option}: expected a duration such as 90s, 30m, 24h or 7d, not '{text}'.");
    }
}
