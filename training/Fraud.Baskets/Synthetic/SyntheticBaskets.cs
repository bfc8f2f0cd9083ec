using System.Globalization;
using System.Text;

namespace Fraud.Baskets;

/// <summary>
/// Generates realistic challenge-format baskets with labels drawn from a known fraud probability: the
/// embedded default data, since the real challenge data is not public. Every row has its own seeded
/// random stream, so the output depends only on the seed and the row number.
/// </summary>
public static class SyntheticBaskets
{
    /// <summary>Streams <see cref="GeneratorOptions.Rows"/> baskets; ids look like <c>{seed}-{row}</c> (<c>{seed}d-{row}</c> with drift), unique across seeds.</summary>
    public static IEnumerable<SyntheticBasket> Generate(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Rows);
        return GenerateCore(options);
    }

    /// <summary>
    /// Writes <c>X.csv</c> (features), <c>Y.csv</c> (<c>ID,fraud_flag</c>) and <c>oracle.csv</c> (<c>ID,p</c>, the probability
    /// each label was drawn from) into <paramref name="outputDir"/>, creating it when needed.
    /// </summary>
    public static GeneratedDataset WriteDataset(string outputDir, GeneratorOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDir);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Rows);
        Directory.CreateDirectory(outputDir);
        var featuresPath = Path.Combine(outputDir, "X.csv");
        var labelsPath = Path.Combine(outputDir, "Y.csv");
        var oraclePath = Path.Combine(outputDir, "oracle.csv");

        // Written under temporary names and moved into place at the end, so an interrupted run never leaves
        // a truncated X.csv that looks complete.
        var summary = new OracleSummary(options.Rows);
        string[] finals = [featuresPath, labelsPath, oraclePath];
        var partials = finals.Select(f => f + ".partial").ToArray();
        try
        {
            WriteFiles(partials, options, summary, progress, cancellationToken);
            for (var i = 0; i < finals.Length; i++)
            {
                File.Move(partials[i], finals[i], overwrite: true);
            }
        }
        catch
        {
            foreach (var partial in partials)
            {
                File.Delete(partial);
            }

            throw;
        }

        return new GeneratedDataset(featuresPath, labelsPath, oraclePath, options.Rows, summary.Frauds, summary.AveragePrecision());
    }

    private static void WriteFiles(string[] paths, GeneratorOptions options, OracleSummary summary, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var features = CreateText(paths[0]);
        using var labels = CreateText(paths[1]);
        using var oracle = CreateText(paths[2]);
        var writer = new BasketCsvWriter(features, withLabel: false);
        labels.Write("ID,fraud_flag\n");
        oracle.Write("ID,p\n");
        long row = 0;
        foreach (var generated in GenerateCore(options))
        {
            writer.Write(generated.Basket, null);
            var id = generated.Basket.Id;
            labels.Write(id);
            labels.Write(generated.IsFraud ? ",1\n" : ",0\n");
            oracle.Write(id);
            oracle.Write(',');
            oracle.Write(generated.FraudProbability.ToString("R", CultureInfo.InvariantCulture));
            oracle.Write('\n');
            summary.Add(generated.FraudProbability, generated.IsFraud);
            if ((++row & 0x3FF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(row);
            }
        }

        progress?.Report(row);
    }

    private static IEnumerable<SyntheticBasket> GenerateCore(GeneratorOptions options)
    {
        var assembler = new BasketAssembler(options.Drift, options.Mechanism);
        var catalogue = Catalogue.For(options.Mechanism);
        var lines = new BasketLine[Basket.MaxItems];
        // Retail keeps its original ids and streams; every other mechanism has its own id letter and streams.
        var mechanism = options.Mechanism switch
        {
            FraudMechanismKind.Reseller => "r",
            FraudMechanismKind.StolenIdentity => "i",
            FraudMechanismKind.Stuffing => "s",
            _ => string.Empty,
        };
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{options.Seed}{mechanism}{(options.Drift ? "d" : string.Empty)}-");
        var stream = (options.Drift ? 2UL : 1UL) + (2UL * (ulong)options.Mechanism);
        for (long row = 0; row < options.Rows; row++)
        {
            var rng = Xoshiro256.ForRow(options.Seed, stream, row);
            var count = assembler.Assemble(ref rng, lines);
            var items = new BasketItem[count];
            for (var i = 0; i < count; i++)
            {
                var line = lines[i];
                items[i] = new BasketItem(line.Category, line.Price, line.Product.Make, line.Product.Model, line.Product.GoodsCode, line.Quantity);
            }

            var probability = FraudMechanism.Probability(options.Mechanism, lines.AsSpan(0, count), catalogue);
            var isFraud = rng.NextDouble() < probability;
            var id = string.Create(CultureInfo.InvariantCulture, $"{prefix}{row + 1}");
            yield return new SyntheticBasket(new Basket(id, items), isFraud, probability);
        }
    }

    private static StreamWriter CreateText(string path) =>
        new(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16) { NewLine = "\n" };
}

/// <summary>
/// What <see cref="SyntheticBaskets.WriteDataset"/> wrote and the oracle's figures for it: <c>OracleAveragePrecision</c>
/// is the PR-AUC of the true probabilities against the drawn labels, the ceiling any model can reach.
/// </summary>
public sealed record GeneratedDataset(string FeaturesPath, string LabelsPath, string OraclePath, int Rows, int Frauds, double OracleAveragePrecision)
{
    public double FraudRate => Rows == 0 ? 0 : (double)Frauds / Rows;
}
