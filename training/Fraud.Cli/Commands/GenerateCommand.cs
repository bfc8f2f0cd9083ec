using System.CommandLine;
using System.Diagnostics;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud generate</c>: synthetic challenge-format baskets (X.csv, Y.csv, oracle.csv); and <c>fraud data stats</c>,
/// which reads a basket file back and prints rows, fraud rate, elapsed time and peak memory.
/// </summary>
internal static class GenerateCommand
{
    private const int MaxRows = 50_000_000;

    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Number of baskets to generate.", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed writes the same bytes.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Folder to write X.csv, Y.csv and oracle.csv into (created when missing).", Required = true };
        var drift = new Option<bool>("--drift") { Description = "Generate a shifted population (product mix and prices) under the same fraud mechanism." };
        var mechanism = MechanismOption();

        var command = new Command("generate", "Generate synthetic challenge-format baskets: X.csv (features), Y.csv (labels) and oracle.csv (true fraud probabilities).");
        command.Options.Add(rows);
        command.Options.Add(seed);
        command.Options.Add(output);
        command.Options.Add(drift);
        command.Options.Add(mechanism);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var count = parseResult.GetValue(rows);
            if (count is < 1 or > MaxRows)
            {
                throw new CliException($"--rows must be between 1 and {MaxRows}, not {count}.");
            }

            var folder = CliOptions.OutputDirectory(parseResult.GetValue(output), "--output");
            var options = new GeneratorOptions { Rows = count, Seed = parseResult.GetValue(seed), Drift = parseResult.GetValue(drift), Mechanism = ParseMechanism(parseResult.GetValue(mechanism)) };
            var clock = Stopwatch.StartNew();
            GeneratedDataset dataset;
            try
            {
                dataset = await CliProgress.RunAsync(
                    "Generating baskets",
                    count,
                    (progress, ct) => SyntheticBaskets.WriteDataset(folder, options, progress, ct),
                    cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write to {folder}: {ex.Message}");
            }

            clock.Stop();
            CliConsole.WriteLine(CliConsole.Invariant($"Wrote {dataset.Rows} baskets (seed {options.Seed}{(options.Mechanism == FraudMechanismKind.Retail ? string.Empty : ", mechanism " + FraudMechanisms.Name(options.Mechanism))}{(options.Drift ? ", drifted" : string.Empty)}) to {folder}: X.csv, Y.csv, oracle.csv"));
            CliConsole.WriteLine(CliConsole.Invariant($"fraud rate {Percent.Format(dataset.FraudRate)} ({dataset.Frauds} frauds), oracle PR-AUC {dataset.OracleAveragePrecision:F3}"));
            CliConsole.WriteLine(CliConsole.CostLine(clock.Elapsed));
            return 0;
        });
        return command;
    }

    /// <summary><c>--mechanism</c>: which fraud mechanism (and catalogue variant) labels the generated baskets.</summary>
    public static Option<string> MechanismOption() => new("--mechanism")
    {
        Description = $"Fraud mechanism, each over its own catalogue variant: {string.Join(", ", FraudMechanisms.All.Select(FraudMechanisms.Name))}.",
        DefaultValueFactory = _ => FraudMechanisms.Name(FraudMechanismKind.Retail),
    };

    public static FraudMechanismKind ParseMechanism(string? name) =>
        FraudMechanisms.TryParse(name, out var kind)
            ? kind
            : throw new CliException($"--mechanism must be one of {string.Join(", ", FraudMechanisms.All.Select(FraudMechanisms.Name))}, not '{name}'.");

    /// <summary><c>fraud data stats</c>: streams a basket file and prints what it holds and what reading it cost.</summary>
    public static Command CreateData()
    {
        var input = new Option<string>("--input", "-i") { Description = "Features CSV in the challenge layout (X.csv or a combined file).", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Labels CSV (ID,fraud_flag) to join on ID." };
        var skipBad = new Option<bool>("--skip-bad-rows") { Description = "Count and skip rows that break a rule instead of stopping at the first." };

        var stats = new Command("stats", "Read a basket file back: rows, items, fraud rate, join report, elapsed time and peak memory.");
        stats.Options.Add(input);
        stats.Options.Add(labels);
        stats.Options.Add(skipBad);
        stats.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = CliOptions.ExistingFile(parseResult.GetValue(input), "--input");
            var labelsPath = parseResult.GetValue(labels) is { } l ? CliOptions.ExistingFile(l, "--labels") : null;
            var options = new CsvReadOptions { SkipBadRows = parseResult.GetValue(skipBad) };
            var clock = Stopwatch.StartNew();
            var summary = await CliProgress.RunAsync(
                "Reading baskets",
                new FileInfo(path).Length,
                (progress, ct) => BasketFileSummary.Read(path, labelsPath, options, progress, ct),
                cancellationToken);
            clock.Stop();

            CliConsole.WriteLine(CliConsole.Invariant($"{summary.Rows} baskets, {summary.Items} items ({summary.ItemsPerBasket:F2} per basket), total amount {summary.TotalAmount:F0}"));
            if (options.Stats.RowsSkipped > 0)
            {
                CliConsole.WriteLine(CliConsole.Invariant($"{options.Stats.RowsSkipped} bad rows skipped; first: {options.Stats.SkipExamples[0]}"));
            }

            if (summary.Join is { } join)
            {
                CliConsole.WriteLine(CliConsole.Invariant($"fraud rate {Percent.Format(summary.FraudRate)} ({summary.Frauds} of {join.Matched} labelled)"));
                CliConsole.WriteLine(join.ToString());
            }

            CliConsole.WriteLine(CliConsole.CostLine(clock.Elapsed));
            return 0;
        });

        var data = new Command("data", "Inspect basket files.");
        data.Subcommands.Add(stats);
        return data;
    }
}
