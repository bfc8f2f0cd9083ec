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
        command.Subcommands.Add(Outage());
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
        // The reads the monitoring job makes on this window: retraining's label join (every column) and the drift
        // check (basket columns only), with the time and the process's peak working set.
        var reader = new PredictionLogReader(store);
        var from = records[0].ScoredAt;
        var to = records[^1].ScoredAt.AddSeconds(1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var back = await reader.ReadWindowAsync(from, to, PredictionParquet.Columns.All, ct).CountAsync(ct);
        var allTime = watch.Elapsed;
        watch.Restart();
        var baskets = await reader.ReadWindowAsync(from, to, PredictionParquet.Columns.BasketsOnly, ct).CountAsync(ct);
        var basketsTime = watch.Elapsed;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read back {back:N0} of {count:N0} baskets: all columns {allTime.TotalSeconds:F2} s, baskets only (drift) {baskets:N0} in {basketsTime.TotalSeconds:F2} s; peak working set {process.PeakWorkingSet64 / 1048576.0:F0} MB"));
    }

    private static Command Outage()
    {
        var seconds = new Option<int>("--seconds") { Description = "Length of the store outage.", DefaultValueFactory = _ => 60 };
        var rate = new Option<int>("--rate") { Description = "Scored baskets per second.", DefaultValueFactory = _ => 200 };
        var command = new Command("outage", "Log maximum-size baskets through a store outage with the handler's buffer and spill settings; print buffer and process memory, spilled, recovered and dropped records.");
        command.Options.Add(seconds);
        command.Options.Add(rate);
        command.SetAction(async (parse, ct) =>
        {
            var length = parse.GetValue(seconds);
            var perSecond = parse.GetValue(rate);
            if (length is < 1 or > 600 || perSecond is < 1 or > 10_000)
            {
                throw new CliException("--seconds must be 1 to 600 and --rate 1 to 10000.");
            }

            var root = Directory.CreateTempSubdirectory("fraud-log-outage-");
            try
            {
                await MeasureOutageAsync(root.FullName, length, perSecond, ct);
            }
            finally
            {
                root.Delete(recursive: true);
            }

            return 0;
        });
        return command;
    }

    private static async Task MeasureOutageAsync(string root, int seconds, int perSecond, CancellationToken ct)
    {
        var store = new OutageStore(new FileBlobStore(Path.Combine(root, "store"))) { Down = true };
        var options = new PredictionLogOptions { SpillDirectory = Path.Combine(root, "spill") };
        var text = new string('x', Basket.MaxStringLength);
        var items = Enumerable.Range(0, Basket.MaxItems).Select(i => new BasketItem(text, 1000 + i, text, text, text, 1)).ToArray();
        long peakBuffer = 0, peakHeap = 0, peakWorkingSet = 0;
        var written = 0;
        var log = new BufferedPredictionLog(store, options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            // Each request parses its own basket: a fresh copy of every string, as the handler's JSON reader makes.
            var due = (int)(clock.Elapsed.TotalSeconds * perSecond);
            for (; written < due; written++)
            {
                var basket = new Basket(string.Create(CultureInfo.InvariantCulture, $"outage-{written}"), [.. items.Select(i => i with { Item = new string(i.Item), Make = new string(i.Make), Model = new string(i.Model), GoodsCode = new string(i.GoodsCode) })]);
                log.TryWrite(new PredictionRecord(basket, 0.1, Decision.Approve, "12", started.AddMilliseconds(1000.0 * written / perSecond), "http"));
            }

            peakBuffer = Math.Max(peakBuffer, log.BufferedBytes);
            peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
            peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
            await Task.Delay(50, ct);
        }

        var spilledDuring = log.Spilled;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"outage {seconds} s at {perSecond} req/s, maximum-size baskets ({BufferedPredictionLog.EstimateBytes(new PredictionRecord(new Basket("outage-0", items), 0, Decision.Approve, "12", started, "http")):N0} bytes each in memory): {written:N0} accepted"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"buffer peak {peakBuffer / 1048576.0:F1} MB (bound {options.MaxBufferBytes / 1048576.0:F0} MB), managed heap peak {peakHeap / 1048576.0:F1} MB, working set peak {peakWorkingSet / 1048576.0:F1} MB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spilled during the outage {spilledDuring:N0}, dropped {log.Dropped:N0}"));

        // The store returns; then the process stops: everything accepted must be in the store.
        store.Down = false;
        await log.DisposeAsync();
        var stored = await new PredictionLogReader(store).ReadAllAsync(ct).CountAsync(ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after the store returned and the process stopped: {stored:N0} of {written:N0} in the store (recovered from spill {log.Recovered:N0}, written directly {log.Written:N0}), lost {written - stored:N0}"));
    }

    private static void Print(CompactionResult result) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compacted {result.Hours} hours: {result.FilesReplaced} blobs ({result.BytesBefore:N0} bytes) into {result.Hours} files ({result.BytesAfter:N0} bytes), {result.Records:N0} records"));

    private static string SqlString(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private sealed class AfterClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A store outage as the handler sees one: every write fails with a connection error until cleared.</summary>
    private sealed class OutageStore(IBlobStore inner) : DelegatingBlobStore(inner)
    {
        public volatile bool Down;

        public override Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default) =>
            Down ? Task.FromException(new HttpRequestException("Connection refused (simulated outage)")) : base.CreateContainerIfNotExistsAsync(container, ct);

        public override Task<string> PutAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, string contentType = "application/octet-stream", CancellationToken ct = default) =>
            Down ? Task.FromException<string>(new HttpRequestException("Connection refused (simulated outage)")) : base.PutAsync(container, name, content, condition, contentType, ct);
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
