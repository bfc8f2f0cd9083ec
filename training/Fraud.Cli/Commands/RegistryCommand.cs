using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;
using Fraud.Registry;
using Fraud.Registry.Serving;
using Fraud.Registry.Storage;
using Spectre.Console;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud registry list | show V | promote V | rollback | history | bench</c>: the model registry in the store
/// named by <c>--store</c> (a folder, a connection string or an https blob endpoint; default the embedded <c>.fraud</c>).
/// </summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var command = new Command("registry", "Model registry: list versions, show one, promote or roll back the champion (always with a reason).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Promote());
        command.Subcommands.Add(Rollback());
        command.Subcommands.Add(History());
        command.Subcommands.Add(Holdout());
        command.Subcommands.Add(RegistryBench.Create());
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List registered versions with their metrics, lineage and aliases.");
        var (store, model, json) = StoreCli.AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var registry = StoreCli.OpenRegistry(parse, store, model);
            var versions = await registry.ListAsync(ct);
            var champion = await registry.GetAliasAsync(ModelAliases.Champion, ct);
            var challenger = await registry.GetAliasAsync(ModelAliases.Challenger, ct);
            if (parse.GetValue(json))
            {
                var document = new RegistryListing(registry.ModelName, registry.Store.Description, champion?.Version, challenger?.Version, [.. versions]);
                CliConsole.WriteLine(JsonSerializer.Serialize(document, RegistryCliJson.Readable.RegistryListing));
                return;
            }

            if (versions.Count == 0)
            {
                CliConsole.WriteLine($"No versions of {registry.ModelName} in {registry.Store.Description}. Register one with `fraud train ... --register`.");
                return;
            }

            // Each card's PR-AUC was measured on that version's own test split: not comparable across versions. The
            // common holdout column is (every version scored on the same stored baskets).
            var holdout = await registry.GetHoldoutAsync(ct);
            var table = new Table().Title($"{Markup.Escape(registry.ModelName)} in {Markup.Escape(registry.Store.Description)}");
            table.AddColumns("version", "alias", "registered (UTC)", "PR-AUC own test split", "PR-AUC common holdout", "ROC-AUC own test split", "rows", "fraud rate", "parent", "run", "data");

            foreach (var v in versions)
            {
                var aliases = string.Join(",", new[] { (champion, ModelAliases.Champion), (challenger, ModelAliases.Challenger) }.Where(a => a.Item1?.Version == v.Version).Select(a => a.Item2));
                table.AddRow(
                    v.Version,
                    aliases,
                    v.RegisteredAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    RunComparison.F(v.PrAuc),
                    holdout is null ? "–" : RunComparison.F((await registry.ScoreOnHoldoutAsync(v.Version, ct))!.PrAuc),
                    RunComparison.F(v.RocAuc),
                    v.TrainingRows.ToString("N0", CultureInfo.InvariantCulture),
                    Percent.Format(v.FraudRate),
                    v.ParentVersion ?? "–",
                    Markup.Escape(v.RunId ?? "–"),
                    Short(v.DataFingerprint));
            }

            StoreCli.Write(table);
            CliConsole.WriteLine(holdout is null
                ? "Own-test-split figures are each measured on different baskets and cannot be compared; store a common holdout with `fraud registry holdout --data X.csv --labels Y.csv`."
                : $"Own-test-split figures are each measured on different baskets; compare versions on the {holdout.Label}.");
        }));
        return command;
    }

    private static Command Holdout()
    {
        var data = new Option<FileInfo>("--data") { Description = "Challenge-format baskets (X.csv) none of the compared versions trained on.", Required = true };
        var labels = new Option<FileInfo?>("--labels") { Description = "Labels (Y.csv); omit when --data has a last fraud_flag column." };
        var description = new Option<string?>("--description") { Description = "Where the baskets come from (default: the file name)." };
        var command = new Command("holdout", "Store the common holdout every version is compared on (registry list, promote).");
        command.Options.Add(data);
        command.Options.Add(labels);
        command.Options.Add(description);
        var (store, model, _) = StoreCli.AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var registry = StoreCli.OpenRegistry(parse, store, model);
            var dataFile = parse.GetValue(data)!;
            var labelFile = parse.GetValue(labels);
            LabelledDataset dataset;
            try
            {
                dataset = BasketCsv.ReadLabelled(dataFile.FullName, labelFile?.FullName);
            }
            catch (Exception ex) when (ex is IOException or BasketCsvException or UnauthorizedAccessException)
            {
                throw new CliException(ex.Message);
            }

            var info = await registry.SetHoldoutAsync(dataset, parse.GetValue(description) ?? dataFile.Name, ct);
            CliConsole.WriteLine($"stored the {info.Label}; `fraud registry list` and `promote` compare versions on it");
        }));
        return command;
    }

    private static Command Show()
    {
        var version = new Argument<string>("version") { Description = "Version number, or an alias such as champion." };
        var command = new Command("show", "Show one version: lineage, held-out metrics, thresholds and the aliases pointing at it.");
        command.Arguments.Add(version);
        var (store, model, json) = StoreCli.AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var registry = StoreCli.OpenRegistry(parse, store, model);
            var requested = parse.GetValue(version)!;
            var resolved = await StoreCli.ResolveVersionAsync(registry, requested, ct);
            var info = await registry.GetVersionAsync(resolved, ct)
                ?? throw new CliException($"version {resolved} of {registry.ModelName} does not exist; `fraud registry list` shows the versions.");
            var (_, card) = await registry.LoadAsync(resolved, ct);
            var aliases = new List<string>();
            foreach (var alias in new[] { ModelAliases.Champion, ModelAliases.Challenger })
            {
                if ((await registry.GetAliasAsync(alias, ct))?.Version == resolved)
                {
                    aliases.Add(alias);
                }
            }

            if (parse.GetValue(json))
            {
                var document = new VersionDetail(info, aliases, card.Metrics.Thresholds.Select(t => new ThresholdDetail(t.Name, t.Threshold, t.Precision, t.Recall)).ToList(), card.Parameters);
                CliConsole.WriteLine(JsonSerializer.Serialize(document, RegistryCliJson.Readable.VersionDetail));
                return;
            }

            var grid = new Table().HideHeaders().AddColumn("field").AddColumn("value").Title($"{Markup.Escape(registry.ModelName)} version {resolved}");
            void Row(string name, string? value) => grid.AddRow(name, Markup.Escape(value ?? "–"));
            Row("aliases", aliases.Count == 0 ? "–" : string.Join(", ", aliases));
            Row("model id", info.ModelId);
            Row("registered", info.RegisteredAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
            Row("source", info.Source);
            Row("parent version", info.ParentVersion);
            Row("run id", info.RunId);
            Row("code version", info.CodeVersion);
            Row("data fingerprint", info.DataFingerprint);
            Row("training rows", info.TrainingRows.ToString("N0", CultureInfo.InvariantCulture));
            Row("fraud rate", Percent.Format(info.FraudRate));
            Row("held-out PR-AUC", CliConsole.Invariant($"{card.Metrics.PrAuc:F4} (baseline {card.BaselineMetrics.PrAuc:F4})"));
            Row("held-out ROC-AUC", CliConsole.Invariant($"{card.Metrics.RocAuc:F4}"));
            Row("log-loss", CliConsole.Invariant($"{card.Metrics.LogLoss:F4}"));
            foreach (var t in card.Metrics.Thresholds)
            {
                Row(t.Name + " threshold", CliConsole.Invariant($"p ≥ {t.Threshold:F4}: precision {t.Precision:F3}, recall {t.Recall:F3}"));
            }

            Row("trees / features", CliConsole.Invariant($"{card.TreeCount} / {card.FeatureCount}"));
            Row("artifact", CliConsole.Invariant($"{info.ModelBytes:N0} bytes, sha256 {info.ModelSha256}"));
            StoreCli.Write(grid);
        }));
        return command;
    }

    private static Command Promote()
    {
        var version = new Argument<string>("version") { Description = "The version to promote." };
        var alias = new Option<string>("--alias") { Description = "Alias to move (champion or challenger).", DefaultValueFactory = _ => ModelAliases.Champion };
        var reason = new Option<string>("--reason") { Description = "Why (kept in the alias history).", Required = true };
        var expected = new Option<string?>("--expect") { Description = "Only promote if the alias still points at this version (guards against a concurrent change)." };
        var force = new Option<bool>("--force") { Description = "Promote to champion even when the version is worse on the common holdout, or no holdout is stored." };
        var command = new Command("promote", "Point an alias (default champion) at a version, with a reason; a new champion must not be worse on the common holdout.");
        command.Arguments.Add(version);
        command.Options.Add(alias);
        command.Options.Add(reason);
        command.Options.Add(expected);
        command.Options.Add(force);
        var (store, model, json) = StoreCli.AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var registry = StoreCli.OpenRegistry(parse, store, model);
            var target = parse.GetValue(alias)!;
            var before = await registry.GetAliasAsync(target, ct);
            var expectedVersion = parse.GetValue(expected);
            if (target == ModelAliases.Champion && before is not null && before.Version != parse.GetValue(version)
                && (expectedVersion is null || expectedVersion == before.Version)
                && await registry.GetVersionAsync(parse.GetValue(version)!, ct) is not null)
            {
                // A missing version or a lost race is reported by the promotion itself, before any comparison.
                await CheckNotWorseAsync(registry, parse.GetValue(version)!, before.Version, parse.GetValue(force), ct);
            }

            // The alias as read here is what this promotion was decided on: its ETag guards the write, so a change
            // made since (by another operator or the monitoring gate) makes this a conflict, never a silent overwrite.
            var after = await registry.PromoteFromAsync(before, parse.GetValue(version)!, target, parse.GetValue(reason)!, parse.GetValue(expected), ct);
            StoreCli.ReportAliasChange(parse.GetValue(json), registry, before, after);
        }));
        return command;
    }

    /// <summary>
    /// The promotion gate of a person: the candidate must not be worse than the champion on the common holdout (the only
    /// figures measured on the same baskets), unless --force says the person knows better.
    /// </summary>
    private static async Task CheckNotWorseAsync(ModelRegistry registry, string candidate, string champion, bool force, CancellationToken ct)
    {
        var holdout = await registry.GetHoldoutAsync(ct);
        if (holdout is null)
        {
            if (!force)
            {
                throw new CliException(
                    $"No common holdout is stored, so version {candidate} cannot be compared with champion {champion} (each card's PR-AUC is measured on its own test split). Store one with `fraud registry holdout --data X.csv --labels Y.csv`, or pass --force.");
            }

            Console.Error.WriteLine("warning: no common holdout is stored; promoting without a comparison (--force)");
            return;
        }

        var candidateScore = (await registry.ScoreOnHoldoutAsync(candidate, ct))!;
        var championScore = (await registry.ScoreOnHoldoutAsync(champion, ct))!;
        var comparison = CliConsole.Invariant($"on the {holdout.Label}: version {candidate} PR-AUC {candidateScore.PrAuc:F4}, champion {champion} PR-AUC {championScore.PrAuc:F4}");
        if (candidateScore.PrAuc < championScore.PrAuc)
        {
            if (!force)
            {
                throw new CliException($"refused: version {candidate} is worse than champion {champion} {comparison}. Pass --force to promote it anyway.", 4);
            }

            Console.Error.WriteLine($"warning: version {candidate} is worse than champion {champion} {comparison}; promoting because of --force");
            return;
        }

        CliConsole.WriteLine(comparison);
    }

    private static Command Rollback()
    {
        var to = new Option<string?>("--to") { Description = "Version to return to (default: the last earlier champion not rolled back from)." };
        var reason = new Option<string>("--reason") { Description = "Why (kept in the alias history).", Required = true };
        var command = new Command("rollback", "Point champion back at an earlier version, with a reason.");
        command.Options.Add(to);
        command.Options.Add(reason);
        var (store, model, json) = StoreCli.AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var registry = StoreCli.OpenRegistry(parse, store, model);
            var before = await registry.GetAliasAsync(ModelAliases.Champion, ct);
            var after = await registry.RollbackAsync(parse.GetValue(to), parse.GetValue(reason)!, ct);
            StoreCli.ReportAliasChange(parse.GetValue(json), registry, before, after);
        }));
        return command;
    }

    private static Command History()
    {
        var alias = new Option<string>("--alias") { Description = "Alias whose history to show.", DefaultValueFactory = _ => ModelAliases.Champion };
        var command = new Command("history", "Every change of an alias (default champion): when, to which version, by whom and why.");
        command.Options.Add(alias);
        var (store, model, json) = StoreCli.AddCommon(command);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var registry = StoreCli.OpenRegistry(parse, store, model);
            var info = await registry.GetAliasAsync(parse.GetValue(alias)!, ct)
                ?? throw new CliException($"{parse.GetValue(alias)} of {registry.ModelName} has never been set.");
            if (parse.GetValue(json))
            {
                CliConsole.WriteLine(JsonSerializer.Serialize(info, RegistryCliJson.ReadableRegistry.AliasInfo));
                return;
            }

            var table = new Table().Title($"{Markup.Escape(info.Alias)} of {Markup.Escape(registry.ModelName)}");
            table.AddColumns("when (UTC)", "change", "from", "to", "by", "reason");

            foreach (var change in info.History)
            {
                table.AddRow(
                    change.ChangedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    change.Kind,
                    change.PreviousVersion ?? "–",
                    change.Version,
                    Markup.Escape(change.ChangedBy ?? "–"),
                    Markup.Escape(change.Reason));
            }

            StoreCli.Write(table);
        }));
        return command;
    }

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] : fingerprint;
}

/// <summary>Options and plumbing shared by the registry, runs and tune verbs.</summary>
internal static class StoreCli
{
    public static Option<string?> StoreOption() => new("--store")
    {
        Description = "Store: a folder, a connection string (UseDevelopmentStorage=true for Azurite) or https://<account>.blob.core.windows.net (default: $FraudStorage, else .fraud).",
    };

    public static (Option<string?> Store, Option<string> Model, Option<bool> Json) AddCommon(Command command)
    {
        var store = StoreOption();
        var model = new Option<string>("--model-name") { Description = "Registry model name.", DefaultValueFactory = _ => ModelRegistry.DefaultModelName };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        command.Options.Add(store);
        command.Options.Add(model);
        command.Options.Add(json);
        return (store, model, json);
    }

    public static IBlobStore OpenStore(string? spec)
    {
        try
        {
            return BlobStoreFactory.Create(spec ?? Environment.GetEnvironmentVariable("FraudStorage"));
        }
        catch (FormatException ex)
        {
            throw new CliException($"--store: {ex.Message}");
        }
    }

    public static ModelRegistry OpenRegistry(ParseResult parse, Option<string?> store, Option<string> model)
    {
        try
        {
            return new ModelRegistry(OpenStore(parse.GetValue(store)), parse.GetValue(model)!) { Actor = Actor };
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--model-name: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
    }

    /// <summary>Who changes aliases from this CLI, recorded in the alias history.</summary>
    public static string Actor => $"{Environment.UserName}@fraud-cli";

    public static async Task<string> ResolveVersionAsync(ModelRegistry registry, string versionOrAlias, CancellationToken ct)
    {
        if (versionOrAlias.Length > 0 && char.IsAsciiDigit(versionOrAlias[0]))
        {
            return versionOrAlias;
        }

        var alias = await registry.GetAliasAsync(versionOrAlias, ct)
            ?? throw new CliException($"{versionOrAlias} of {registry.ModelName} is not set; give a version number.");
        return alias.Version;
    }

    /// <summary>Runs a verb body, turning store and registry failures into one-line CLI errors.</summary>
    public static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (BlobStoreException ex)
        {
            throw new CliException($"store: {ex.Message}");
        }
        catch (RegistryConflictException ex)
        {
            throw new CliException($"conflict: {ex.Message}", 3);
        }
        catch (RegistryException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (ModelFormatException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    public static void ReportAliasChange(bool json, ModelRegistry registry, AliasInfo? before, AliasInfo after)
    {
        if (json)
        {
            CliConsole.WriteLine(JsonSerializer.Serialize(after, RegistryCliJson.ReadableRegistry.AliasInfo));
            return;
        }

        var change = after.History[^1];
        CliConsole.WriteLine($"{after.Alias} of {registry.ModelName}: {before?.Version ?? "(none)"} -> {after.Version} ({change.Kind}: {change.Reason})");
    }

    /// <summary>Writes a Spectre renderable to standard output; plain ASCII and wide when not on a terminal.</summary>
    public static void Write(Spectre.Console.Rendering.IRenderable renderable)
    {
        var interactive = CliConsole.IsInteractive;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!interactive)
        {
            console.Profile.Width = 240;
        }

        console.Write(renderable);
    }
}

/// <summary>`fraud registry list --json`.</summary>
internal sealed record RegistryListing(string Model, string Store, string? Champion, string? Challenger, List<ModelVersionInfo> Versions);

/// <summary>`fraud registry show V --json`.</summary>
internal sealed record VersionDetail(ModelVersionInfo Version, List<string> Aliases, List<ThresholdDetail> Thresholds, Dictionary<string, string> Parameters);

internal sealed record ThresholdDetail(string Name, double Threshold, double Precision, double Recall);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RegistryListing))]
[JsonSerializable(typeof(VersionDetail))]
internal sealed partial class RegistryCliJson : JsonSerializerContext
{
    // The default encoder escapes '+' (in "+00:00" and "1.0.0+sha") as \u002B, safe for HTML but unreadable in a
    // terminal and in scripts' logs; this output is never embedded in HTML (issue 19, item 14).
    private static readonly System.Text.Encodings.Web.JavaScriptEncoder Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static RegistryCliJson? _readable;
    private static RegistryJsonContext? _readableRegistry;

    // Built on first use: a static initialiser here could run before the generated Default of the other partial file.

    /// <summary>The CLI's JSON output with readable characters.</summary>
    public static RegistryCliJson Readable => _readable ??= new(new JsonSerializerOptions(Default!.Options) { Encoder = Encoder });

    /// <summary>The registry's documents (alias history) printed with readable characters.</summary>
    public static RegistryJsonContext ReadableRegistry => _readableRegistry ??= new(new JsonSerializerOptions(RegistryJsonContext.Default.Options) { Encoder = Encoder });
}

/// <summary>
/// <c>fraud registry bench</c>: times registry operations against a store (use Azurite or Azure for real network
/// figures), races concurrent promotions, and measures how long a promotion takes to reach a running
/// <see cref="ChampionProvider"/>. Works under a throw-away model name and deletes it afterwards.
/// </summary>
internal static class RegistryBench
{
    public static Command Create()
    {
        var store = StoreCli.StoreOption();
        var repeats = new Option<int>("--repeats") { Description = "Times each operation is measured.", DefaultValueFactory = _ => 5 };
        var pollMs = new Option<int>("--poll-ms") { Description = "The provider's poll interval in milliseconds.", DefaultValueFactory = _ => 200 };
        var racers = new Option<int>("--racers") { Description = "Concurrent promotions in the race.", DefaultValueFactory = _ => 8 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of the promotion race, each with and without --expect.", DefaultValueFactory = _ => 20 };
        var command = new Command("bench", "Time registry operations, race concurrent promotions and measure champion swap latency on a store.");
        command.Options.Add(store);
        command.Options.Add(repeats);
        command.Options.Add(pollMs);
        command.Options.Add(racers);
        command.Options.Add(rounds);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var n = parse.GetValue(repeats);
            var poll = parse.GetValue(pollMs);
            var racerCount = parse.GetValue(racers);
            var roundCount = parse.GetValue(rounds);
            if (n is < 2 or > 100 || poll is < 10 or > 60_000 || racerCount is < 2 or > 64 || roundCount is < 1 or > 1000)
            {
                throw new CliException("--repeats must be 2-100, --poll-ms 10-60000, --racers 2-64 and --rounds 1-1000.");
            }

            await RunAsync(StoreCli.OpenStore(parse.GetValue(store)), n, TimeSpan.FromMilliseconds(poll), racerCount, roundCount, ct);
        }));
        return command;
    }

    private static async Task RunAsync(IBlobStore store, int n, TimeSpan poll, int racerCount, int rounds, CancellationToken ct)
    {
        var log = CliConsole.WriteLine;
        var name = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var registry = new ModelRegistry(store, name) { Actor = "fraud registry bench" };
        log($"registry bench on {store.Description}, model name {name}");

        var clock = Stopwatch.StartNew();
        var rows = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 3000, Seed = 1 }).ToList();
        var options = new TrainingOptions { Seed = 1 };
        options = options with { Gbdt = options.Gbdt with { NumRounds = 20, EarlyStoppingRounds = 0 }, ImportanceSampleRows = 200 };
        var trained = ModelTrainer.Train([.. rows.Select(r => r.Basket)], [.. rows.Select(r => r.IsFraud)], options, cancellationToken: ct);
        log(CliConsole.Invariant($"trained a small model ({trained.Model.ToJsonBytes().Length / 1024.0:F0} KiB artifact) in {clock.Elapsed.TotalSeconds:F1} s"));

        try
        {
            var register = await TimeAsync(n, async _ => await registry.RegisterAsync(trained, new RegistrationInfo(Source: "bench"), ct));
            Print("register version (4 blobs)", register);
            Print("list versions", await TimeAsync(n, async _ => await registry.ListAsync(ct)));
            Print("get alias", await TimeAsync(n, async _ => await registry.GetAliasAsync(ModelAliases.Champion, ct)));
            var etag = (await registry.GetAliasAsync(ModelAliases.Champion, ct))!.ETag;
            Print("poll alias (304 not modified)", await TimeAsync(n, async _ => await registry.PollAliasAsync(ModelAliases.Champion, etag, ct)));
            Print("load version (verify + parse)", await TimeAsync(n, async _ => await registry.LoadAsync("1", ct)));
            // Alternate between versions 1 and 2 so every promotion and rollback is a real change.
            var championNow = "1";
            string Other() => championNow == "1" ? "2" : "1";
            Print("promote champion", await TimeAsync(n, async _ => championNow = (await registry.PromoteAsync(Other(), ModelAliases.Champion, "bench promotion", ct)).Version));
            Print("rollback champion (--to)", await TimeAsync(n, async _ => championNow = (await registry.RollbackAsync(Other(), "bench rollback", ct)).Version));

            await using (var provider = new ChampionProvider(registry, poll))
            {
                await provider.StartAsync(ct);
                var swaps = new List<double>();
                for (var i = 0; i < n; i++)
                {
                    var current = provider.Current!.Version;
                    var target = current == "1" ? "2" : "1";
                    await registry.PromoteAsync(target, ModelAliases.Champion, "bench swap", ct);
                    var started = Stopwatch.GetTimestamp();
                    while (provider.Current!.Version != target)
                    {
                        await Task.Delay(1, ct);
                    }

                    swaps.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                Print(CliConsole.Invariant($"promotion -> provider serving it (poll every {poll.TotalMilliseconds:F0} ms)"), swaps);
            }

            await RaceAsync(store, name, racerCount, rounds, log, ct);
        }
        finally
        {
            var deleted = 0;
            await foreach (var blob in store.ListAsync(Containers.Models, name + "/", CancellationToken.None))
            {
                deleted += await store.DeleteAsync(Containers.Models, blob.Name, CancellationToken.None) ? 1 : 0;
            }

            log($"cleaned up {deleted} bench blobs; {CliConsole.CostLine(clock.Elapsed)}");
        }
    }

    private static async Task RaceAsync(IBlobStore store, string name, int racerCount, int rounds, Action<string> log, CancellationToken ct)
    {
        // Each round, every racer has decided against the same champion (the way eight operators or gates would act at
        // once): with --expect they all name it; without, each one's own read of the alias guards its write.
        var registry = new ModelRegistry(store, name);
        var versions = (await registry.ListAsync(ct)).Select(v => v.Version).ToList();
        var exactlyOne = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
        var winners = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
        for (var round = 0; round < rounds; round++)
        {
            foreach (var withExpect in new[] { true, false })
            {
                var current = (await registry.GetAliasAsync(ModelAliases.Champion, ct))!.Version;
                var candidates = versions.Where(v => v != current).ToList();
                var arrived = 0;
                var allRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var outcomes = await Task.WhenAll(Enumerable.Range(0, racerCount).Select(i => Task.Run(async () =>
                {
                    var racer = new ModelRegistry(store, name) { Actor = CliConsole.Invariant($"racer {i}") };
                    var seen = await racer.GetAliasAsync(ModelAliases.Champion, ct);
                    if (Interlocked.Increment(ref arrived) == racerCount)
                    {
                        allRead.SetResult();
                    }

                    await allRead.Task.WaitAsync(ct);
                    try
                    {
                        await racer.PromoteFromAsync(seen, candidates[i % candidates.Count], ModelAliases.Champion, CliConsole.Invariant($"racer {i}"), withExpect ? current : null, ct);
                        return true;
                    }
                    catch (RegistryConflictException)
                    {
                        return false;
                    }
                }, ct)));
                var won = outcomes.Count(o => o);
                winners[withExpect] += won;
                exactlyOne[withExpect] += won == 1 ? 1 : 0;
            }
        }

        log(CliConsole.Invariant($"promotion race, {racerCount} racers, {rounds} rounds with --expect: exactly 1 winner in {exactlyOne[true]} of {rounds} rounds ({winners[true]} winners in all)"));
        log(CliConsole.Invariant($"promotion race, {racerCount} racers, {rounds} rounds without --expect: exactly 1 winner in {exactlyOne[false]} of {rounds} rounds ({winners[false]} winners in all)"));
    }

    private static async Task<List<double>> TimeAsync(int n, Func<int, Task> operation)
    {
        var samples = new List<double>(n);
        for (var i = 0; i < n; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(i);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return samples;
    }

    private static void Print(string operation, List<double> samples)
    {
        samples.Sort();
        CliConsole.WriteLine(CliConsole.Invariant($"{operation,-52}: n={samples.Count} p50 {samples[samples.Count / 2],8:F1} ms  min {samples[0],8:F1} ms  max {samples[^1],8:F1} ms"));
    }
}
