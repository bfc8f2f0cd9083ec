using System.Buffers;
using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Monitoring;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud log</c>: the prediction log at rest. <c>query</c> runs SQL over it with DuckDB, <c>compact</c> merges finished
/// hours, <c>convert</c> turns JSON-lines blobs of earlier versions into Parquet, <c>size</c> prints bytes per basket.
/// </summary>
internal static class LogCommand
{
    public static Command Create()
    {
        var command = new Command("log", "The prediction log at rest: SQL queries (DuckDB), compaction, conversion of old JSON-lines logs, size per basket.");
        command.Subcommands.Add(Query());
        command.Subcommands.Add(Compact());
        command.Subcommands.Add(Convert());
        command.Subcommands.Add(Size());
        return command;
    }

    private static Command Query()
    {
        var store = MonitoringCli.StoreOption();
        var sql = new Argument<string>("sql") { Description = "The SQL to run; the log is the view `predictions` (one row per basket line; line = 0 once per basket)." };
        var limit = new Option<int>("--max-rows") { Description = "Rows printed at most.", DefaultValueFactory = _ => 1000 };
        var command = new Command("query", "Run SQL over the prediction log's Parquet files with DuckDB, e.g. fraud log query \"SELECT decision, count(*) FROM predictions WHERE line = 0 GROUP BY ALL\".");
        command.Arguments.Add(sql);
        command.Options.Add(store);
        command.Options.Add(limit);
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(sql);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new CliException("log query: give the SQL to run, e.g. \"SELECT count(*) FROM predictions WHERE line = 0\".");
            }

            var maxRows = parse.GetValue(limit);
            if (maxRows < 1)
            {
                throw new CliException($"--max-rows must be at least 1, not {maxRows}.");
            }

            var blobStore = MonitoringCli.OpenStore(parse.GetValue(store));
            using var files = await LocalParquetFiles.OpenAsync(blobStore, ct);
            if (files.JsonLinesBlobs > 0)
            {
                Console.Error.WriteLine($"note: {files.JsonLinesBlobs} JSON-lines blobs of an earlier version are not in the view; `fraud log convert` turns them into Parquet.");
            }

            await RunQueryAsync(files.Paths, text, maxRows, Console.Out, ct);
            return 0;
        });
        return command;
    }

    /// <summary>Runs <paramref name="sql"/> with the view <c>predictions</c> over <paramref name="paths"/>; prints a tab-separated table.</summary>
    internal static async Task RunQueryAsync(IReadOnlyList<string> paths, string sql, int maxRows, TextWriter output, CancellationToken ct)
    {
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(ct);
        await using (var create = connection.CreateCommand())
        {
            // An empty log still has the columns, so a query over it answers with no rows instead of failing.
            create.CommandText = paths.Count == 0
                ? "CREATE VIEW predictions AS SELECT NULL::VARCHAR AS basket_id, NULL::INTEGER AS line, NULL::TIMESTAMPTZ AS scored_at, NULL::DOUBLE AS probability, NULL::VARCHAR AS decision, NULL::VARCHAR AS model_version, NULL::VARCHAR AS source, NULL::VARCHAR AS item, NULL::DOUBLE AS cash_price, NULL::VARCHAR AS make, NULL::VARCHAR AS model, NULL::VARCHAR AS goods_code, NULL::INTEGER AS quantity WHERE false"
                : $"CREATE VIEW predictions AS SELECT * FROM read_parquet([{string.Join(", ", paths.Select(SqlString))}])";
            await create.ExecuteNonQueryAsync(ct);
        }

        await using var query = connection.CreateCommand();
        query.CommandText = sql;
        DbDataReader reader;
        try
        {
            reader = await query.ExecuteReaderAsync(ct);
        }
        catch (DuckDBException ex)
        {
            throw new CliException($"log query: {ex.Message}");
        }

        await using (reader)
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName);
            await output.WriteLineAsync(string.Join('\t', columns));
            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                if (++rows > maxRows)
                {
                    await output.WriteLineAsync($"... more rows (--max-rows {maxRows})");
                    break;
                }

                var values = new string[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? "NULL" : System.Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? string.Empty;
                }

                await output.WriteLineAsync(string.Join('\t', values));
            }
        }
    }

    private static Command Compact()
    {
        var store = MonitoringCli.StoreOption();
        var lookback = new Option<string>("--lookback") { Description = "Compact finished hours this far back, e.g. 48h or 30d.", DefaultValueFactory = _ => "48h" };
        var command = new Command("compact", "Merge each finished hour of the prediction log into one Parquet file (the monitoring job does this too).");
        command.Options.Add(store);
        command.Options.Add(lookback);
        command.SetAction(async (parse, ct) =>
        {
            var span = MonitoringCli.ParseDuration(parse.GetValue(lookback)!, "--lookback");
            var result = await new PredictionLogCompactor(MonitoringCli.OpenStore(parse.GetValue(store))).CompactFinishedHoursAsync(span, ct);
            Print(result);
            return 0;
        });
        return command;
    }

    private static Command Convert()
    {
        var store = MonitoringCli.StoreOption();
        var command = new Command("convert", "Rewrite every hour of the prediction log as one Parquet file, JSON-lines blobs of earlier versions included (nothing is lost: a record read before is read after).");
        command.Options.Add(store);
        command.SetAction(async (parse, ct) =>
        {
            var result = await new PredictionLogCompactor(MonitoringCli.OpenStore(parse.GetValue(store))).CompactAllAsync(includeUnfinished: true, ct);
            Print(result);
            return 0;
        });
        return command;
    }

    private static Command Size()
    {
        var baskets = new Option<int>("--baskets") { Description = "Generated baskets to log.", DefaultValueFactory = _ => 100_000 };
        var perFlush = new Option<int>("--per-flush") { Description = "Records per part file (one flush of one instance: 5 s at 200 req/s is 1000).", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated baskets.", DefaultValueFactory = _ => 1 };
        var command = new Command("size", "Print the prediction log's bytes per scored basket for generated traffic: JSON lines, Parquet parts, compacted hour.");
        foreach (var option in new Option[] { baskets, perFlush, seed })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(baskets);
            var flush = parse.GetValue(perFlush);
            if (count < 1 || flush < 1)
            {
                throw new CliException("--baskets and --per-flush must be at least 1.");
            }

            var root = Directory.CreateTempSubdirectory("fraud-log-size-");
            try
            {
                await MeasureSizeAsync(root.FullName, count, flush, parse.GetValue(seed), ct);
            }
            finally
            {
                root.Delete(recursive: true);
            }

            return 0;
        });
        return command;
    }

    private static async Task MeasureSizeAsync(string root, int count, int perFlush, int seed, CancellationToken ct)
    {
        // Generated traffic at 200 req/s from one instance, starting on an hour; probabilities from the generator's
        // own fraud probability and decisions at typical thresholds (the size does not depend on the model).
        var start = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var records = SyntheticBaskets.Generate(new GeneratorOptions { Rows = count, Seed = seed })
            .Select((b, i) => new PredictionRecord(b.Basket, b.FraudProbability, b.FraudProbability >= 0.5 ? Decision.Decline : b.FraudProbability >= 0.1 ? Decision.Review : Decision.Approve, "12", start.AddMilliseconds(5.0 * i), "http"))
            .ToList();

        long jsonBytes = 0;
        var json = new ArrayBufferWriter<byte>(1 << 20);
        foreach (var record in records)
        {
            json.ResetWrittenCount();
            PredictionLogFormat.WriteLine(json, record);
            jsonBytes += json.WrittenCount;
        }

        var store = new FileBlobStore(root);
        await store.CreateContainerIfNotExistsAsync(Containers.Predictions, ct);
        long partBytes = 0;
        var parts = 0;
        using (var buffer = new MemoryStream())
        {
            for (var first = 0; first < records.Count; first += perFlush)
            {
                var n = Math.Min(perFlush, records.Count - first);
                buffer.SetLength(0);
                await PredictionParquet.WriteAsync(buffer, records, first, n, null, ct);
                var name = PredictionLogFormat.PartName(records[first].ScoredAt, records[first].ScoredAt, "size", parts++);
                await store.PutAsync(Containers.Predictions, name, buffer.ToArray(), BlobWriteCondition.IfNotExists, PredictionLogFormat.ParquetContentType, ct);
                partBytes += buffer.Length;
            }
        }

        var compactor = new PredictionLogCompactor(store, new AfterClock(records[^1].ScoredAt.AddHours(2)));
        var compacted = await compactor.CompactAllAsync(includeUnfinished: true, ct);
        var lines = records.Sum(r => r.Basket.Items.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baskets {count:N0} (seed {seed}), lines {lines:N0} ({(double)lines / count:F2} per basket), {parts:N0} part files of {perFlush:N0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"JSON lines (before)      {jsonBytes,14:N0} bytes  {(double)jsonBytes / count,7:F1} bytes/basket"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Parquet parts            {partBytes,14:N0} bytes  {(double)partBytes / count,7:F1} bytes/basket"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Parquet compacted hours  {compacted.BytesAfter,14:N0} bytes  {(double)compacted.BytesAfter / count,7:F1} bytes/basket ({compacted.Hours} hour files)"));
        var back = await new PredictionLogReader(store).ReadAllAsync(ct).CountAsync(ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read back {back:N0} of {count:N0} baskets"));
    }

    private static void Print(CompactionResult result) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compacted {result.Hours} hours: {result.FilesReplaced} blobs ({result.BytesBefore:N0} bytes) into {result.Hours} files ({result.BytesAfter:N0} bytes), {result.Records:N0} records"));

    private static string SqlString(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private sealed class AfterClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>
/// The log's live Parquet files as local paths for DuckDB: the file store's own files in place; any other store's
/// downloaded into a temporary folder (deleted on dispose). Parts a compacted file replaces are left out, as readers do.
/// </summary>
internal sealed class LocalParquetFiles : IDisposable
{
    private readonly DirectoryInfo? _temporary;

    private LocalParquetFiles(List<string> paths, int jsonLines, DirectoryInfo? temporary)
    {
        Paths = paths;
        JsonLinesBlobs = jsonLines;
        _temporary = temporary;
    }

    public IReadOnlyList<string> Paths { get; }

    public int JsonLinesBlobs { get; }

    public static async Task<LocalParquetFiles> OpenAsync(IBlobStore store, CancellationToken ct)
    {
        var names = new List<string>();
        var jsonLines = 0;
        await foreach (var blob in store.ListAsync(Containers.Predictions, null, ct))
        {
            if (blob.Name.EndsWith(PredictionLogFormat.ParquetExtension, StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
            else if (blob.Name.EndsWith(PredictionLogFormat.JsonLinesExtension, StringComparison.Ordinal))
            {
                jsonLines++;
            }
        }

        var temporary = store is FileBlobStore ? null : Directory.CreateTempSubdirectory("fraud-log-query-");
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<string>();
        foreach (var name in PredictionLogReader.OrderForReading(names))
        {
            if (replaced.Contains(name))
            {
                continue;
            }

            string path;
            if (store is FileBlobStore files)
            {
                path = Path.Combine(files.Root, Containers.Predictions, Path.Combine(name.Split('/')));
            }
            else
            {
                var download = await store.GetAsync(Containers.Predictions, name, ct);
                if (download is null)
                {
                    continue;
                }

                path = Path.Combine(temporary!.FullName, name.Replace('/', '_'));
                await File.WriteAllBytesAsync(path, download.Content.ToArray(), ct);
            }

            if (PredictionLogFormat.IsCompacted(name))
            {
                await using var stream = File.OpenRead(path);
                foreach (var source in (await PredictionParquet.ReadMetadataAsync(stream, ct)).CompactedFrom)
                {
                    replaced.Add(source);
                }
            }

            paths.Add(path);
        }

        return new LocalParquetFiles(paths, jsonLines, temporary);
    }

    public void Dispose() => _temporary?.Delete(recursive: true);
}
