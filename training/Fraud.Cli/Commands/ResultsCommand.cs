using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fraud.Cli.Infrastructure;
using Fraud.Registry;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud results --batch &lt;id&gt;</c>: the scored output of a queued batch, read back from the store
/// (<c>scored/&lt;id&gt;.jsonl</c>) as CSV <c>ID,fraud_probability,decision,model_version,error</c>, in basket order.
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var batch = new Option<string>("--batch") { Description = "Batch id as printed by `fraud submit`.", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "CSV file to write (default: standard output)." };
        var store = StoreCli.StoreOption();
        var command = new Command("results", "Read a queued batch's scores back from the store as CSV.");
        command.Options.Add(batch);
        command.Options.Add(output);
        command.Options.Add(store);
        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var id = parse.GetValue(batch);
            if (!BatchNames.IsValidId(id))
            {
                throw new CliException($"--batch: a batch id is {BatchNames.IdRule}.");
            }

            var blobs = StoreCli.OpenStore(parse.GetValue(store));
            var scored = await blobs.GetAsync(Containers.Scored, BatchNames.ResultName(id!), ct);
            if (scored is null)
            {
                var claimed = await blobs.GetAsync(Containers.Batches, BatchNames.ClaimName(id!), ct) is not null;
                throw new CliException(claimed
                    ? $"batch {id} is being scored or failed for a transient reason; try again shortly (store: {blobs.Description})."
                    : $"no results for batch {id} in {blobs.Description}: not delivered yet, rejected (see the rejected container), or another store.");
            }

            var csv = ToCsv(scored.Content.Span, out var rows, out var errors);
            var path = parse.GetValue(output);
            if (string.IsNullOrWhiteSpace(path))
            {
                await Console.Out.WriteAsync(csv);
                return;
            }

            if (Directory.Exists(path))
            {
                throw new CliException("--output must be a file path.");
            }

            try
            {
                await File.WriteAllTextAsync(path, csv, new UTF8Encoding(false), ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write {path}: {ex.Message}");
            }

            CliConsole.WriteLine(CliConsole.Invariant($"batch {id}: {rows} baskets ({errors} not scored) -> {path}"));
        }));
        return command;
    }

    /// <summary>The result lines as CSV, one row per basket in batch order.</summary>
    public static string ToCsv(ReadOnlySpan<byte> lines, out int rows, out int errors)
    {
        var csv = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        csv.WriteLine("ID,fraud_probability,decision,model_version,error");
        rows = 0;
        errors = 0;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? default : lines[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            rows++;
            Field(csv, Text(root, "id"));
            csv.Write(',');
            if (root.TryGetProperty("fraudProbability", out var p) && p.ValueKind == JsonValueKind.Number)
            {
                csv.Write(p.GetDouble().ToString("R", CultureInfo.InvariantCulture));
            }

            csv.Write(',');
            Field(csv, Text(root, "decision"));
            csv.Write(',');
            Field(csv, Text(root, "modelVersion"));
            csv.Write(',');
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                errors++;
                Field(csv, $"{Text(error, "field")}: {Text(error, "message")}");
            }

            csv.WriteLine();
        }

        return csv.ToString();
    }

    // RFC 4180: quote a field holding a comma, quote or line break; double its quotes.
    private static void Field(TextWriter writer, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }

        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
