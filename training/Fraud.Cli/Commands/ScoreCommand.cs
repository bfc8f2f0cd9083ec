using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;

namespace Fraud.Cli.Commands;

/// <summary><c>fraud score</c>: writes <c>ID,fraud_probability</c> for every basket of a file, streaming in chunks.</summary>
internal static class ScoreCommand
{
    private const int ChunkSize = 16_384;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model folder (holding model.json) or a model.json file.", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "Features CSV in the challenge layout.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Scores CSV to write (ID,fraud_probability).", Required = true };

        var command = new Command("score", "Score every basket of a CSV file with a trained model.");
        command.Options.Add(model);
        command.Options.Add(input);
        command.Options.Add(output);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var fraudModel = ModelFolder.Load(parseResult.GetValue(model));
            var inputPath = CliOptions.ExistingFile(parseResult.GetValue(input), "--input");
            var outputPath = parseResult.GetValue(output);
            if (string.IsNullOrWhiteSpace(outputPath) || Directory.Exists(outputPath))
            {
                throw new CliException("--output must be a file path.");
            }

            var clock = Stopwatch.StartNew();
            var rows = Score(fraudModel, inputPath, Path.GetFullPath(outputPath), cancellationToken);
            CliConsole.WriteLine(CliConsole.Invariant($"scored {rows:N0} baskets with {fraudModel.ModelId} in {clock.Elapsed.TotalSeconds:F2} s -> {outputPath}"));
            return Task.FromResult(0);
        });
        return command;
    }

    public static long Score(FraudModel model, string inputPath, string outputPath, CancellationToken cancellationToken)
    {
        // Written to a temporary name first, so a failure half-way never leaves a truncated scores file behind.
        var temporary = outputPath + ".partial";
        long rows = 0;
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" })
            {
                writer.WriteLine("ID,fraud_probability");
                var chunk = new List<Basket>(ChunkSize);
                var probabilities = new double[ChunkSize];
                foreach (var basket in BasketCsv.ReadBaskets(inputPath))
                {
                    chunk.Add(basket);
                    if (chunk.Count == ChunkSize)
                    {
                        rows += Flush(model, chunk, probabilities, writer);
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                }

                rows += Flush(model, chunk, probabilities, writer);
            }

            File.Move(temporary, outputPath, overwrite: true);
            return rows;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {outputPath}: {ex.Message}");
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static int Flush(FraudModel model, List<Basket> chunk, double[] probabilities, StreamWriter writer)
    {
        model.ScoreMany(chunk, probabilities, threads: 0);
        Span<char> number = stackalloc char[32];
        for (var i = 0; i < chunk.Count; i++)
        {
            writer.Write(chunk[i].Id);
            writer.Write(',');
            probabilities[i].TryFormat(number, out var written, "0.########", CultureInfo.InvariantCulture);
            writer.Write(number[..written]);
            writer.Write('\n');
        }

        var count = chunk.Count;
        chunk.Clear();
        return count;
    }
}
