using System.Buffers;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring.Tests;

/// <summary>The Parquet layout of the prediction log, its compaction, the byte-bounded buffer and the local spill.</summary>
public sealed class PredictionLogParquetTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 14, 12, 15, 0, TimeSpan.Zero);

    [Fact]
    public async Task PartFilesCarryTheSchemaVersionAndKeepMissingOptionalFields()
    {
        using var temp = new TempStore();
        var sparse = new PredictionRecord(new Basket("sparse", [new BasketItem("PHONES", 99.5, null!, null!, null!, 3)]), 0.4, Decision.Review, "7", Noon.AddTicks(10), "queue");
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            log.TryWrite(sparse);
            log.TryWrite(TestData.Record("full", Noon));
        }

        var name = Assert.Single(await temp.Store.ListAsync(Containers.Predictions).Select(b => b.Name).ToListAsync());
        var download = await temp.Store.GetAsync(Containers.Predictions, name);
        using var stream = new MemoryStream(download!.Content.ToArray());
        var meta = await PredictionParquet.ReadMetadataAsync(stream);
        Assert.Equal(PredictionParquet.SchemaVersion, meta.Version);
        Assert.Equal(2, meta.Records);

        var records = await new PredictionLogReader(temp.Store).ReadAllAsync().ToListAsync();
        var back = Assert.Single(records, r => r.Basket.Id == "sparse");
        var line = Assert.Single(back.Basket.Items);
        // Absent optional fields read back as empty, as BasketItem makes every absent field (issue 14, item 2).
        Assert.Equal(string.Empty, line.Make);
        Assert.Equal(string.Empty, line.GoodsCode);
        Assert.Equal(3, line.Quantity);
        Assert.Equal(Decision.Review, back.Decision);
        Assert.Equal("queue", back.Source);
        Assert.Equal(Noon.AddTicks(10), back.ScoredAt); // microsecond precision
        Assert.Equal(2, records.Single(r => r.Basket.Id == "full").Basket.Items.Count);
    }

    [Fact]
    public async Task AFlushedPartDictionaryEncodesTheRepeatedTextsAndReadsBackEveryField()
    {
        // Issue 15 (sixth round): the flush hands the chunks' texts to Parquet.Net as slices and asks for dictionary
        // pages on the repeated string columns; what is read back must be exactly what was logged.
        using var temp = new TempStore();
        var written = SyntheticBaskets.Generate(new GeneratorOptions { Rows = 2_000, Seed = 3 })
            .Select((b, i) => new PredictionRecord(b.Basket, b.FraudProbability, (Decision)(i % 3), i < 1_000 ? "12" : "13", Noon.AddMilliseconds(i), i % 5 == 0 ? "batch" : "http"))
            .ToList();
        written[7] = written[7] with { Basket = new Basket("sparse", [new BasketItem("PHONES", 99.5, null!, null!, null!, 3)]) };
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            foreach (var record in written)
            {
                Assert.True(log.TryWrite(record));
            }
        }

        var name = Assert.Single(await temp.Store.ListAsync(Containers.Predictions).Select(b => b.Name).ToListAsync());
        var content = (await temp.Store.GetAsync(Containers.Predictions, name))!.Content.ToArray();
        using (var stream = new MemoryStream(content))
        {
            await using var reader = await Parquet.ParquetReader.CreateAsync(stream, PredictionParquet.Options);
            var columns = reader.Metadata!.RowGroups[0].Columns;
            var fields = PredictionParquet.Schema.DataFields;
            foreach (var dictionary in new[] { "decision", "model_version", "source", "item", "make", "model", "goods_code" })
            {
                var chunk = columns[Array.FindIndex(fields, f => f.Name == dictionary)];
                Assert.Contains(Parquet.Meta.Encoding.PLAIN_DICTIONARY, chunk.MetaData!.Encodings);
            }

            Assert.DoesNotContain(Parquet.Meta.Encoding.PLAIN_DICTIONARY, columns[Array.FindIndex(fields, f => f.Name == "basket_id")].MetaData!.Encodings);
        }

        // The size target (120 bytes per scored basket) with room to spare: one part of 2,000 generated baskets.
        Assert.InRange(content.Length / 2_000.0, 1, 60);
        var back = await new PredictionLogReader(temp.Store).ReadAllAsync().ToDictionaryAsync(r => r.Basket.Id);
        Assert.Equal(written.Count, back.Count);
        foreach (var record in written)
        {
            var read = back[record.Basket.Id];
            Assert.Equal(record.FraudProbability, read.FraudProbability);
            Assert.Equal(record.Decision, read.Decision);
            Assert.Equal(record.ModelVersion, read.ModelVersion);
            Assert.Equal(record.Source, read.Source);
            Assert.Equal(record.ScoredAt, read.ScoredAt);
            Assert.Equal(record.Basket.Items.Count, read.Basket.Items.Count);
            for (var i = 0; i < record.Basket.Items.Count; i++)
            {
                var (a, b) = (record.Basket.Items[i], read.Basket.Items[i]);
                Assert.Equal((a.Item, a.CashPrice, a.Make ?? string.Empty, a.Model ?? string.Empty, a.GoodsCode ?? string.Empty, a.Quantity), (b.Item, b.CashPrice, b.Make, b.Model, b.GoodsCode, b.Quantity));
            }
        }
    }

    [Fact]
    public async Task AColumnOfMostlyDistinctTextsIsWrittenPlainAndReadsBack()
    {
        // The dictionary's fallback: unique goods codes (a large catalogue) go plain; the low-cardinality columns stay dictionary-encoded.
        using var temp = new TempStore();
        var written = Enumerable.Range(0, 3_000)
            .Select(i => new PredictionRecord(new Basket($"u-{i}", [new BasketItem("PHONES", 10 + i, "APPLE", "IPHONE", $"code-{i:D6}", 1)]), 0.1, Decision.Approve, "12", Noon.AddMilliseconds(i), "http"))
            .ToList();
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            foreach (var record in written)
            {
                Assert.True(log.TryWrite(record));
            }
        }

        var name = Assert.Single(await temp.Store.ListAsync(Containers.Predictions).Select(b => b.Name).ToListAsync());
        using (var stream = new MemoryStream((await temp.Store.GetAsync(Containers.Predictions, name))!.Content.ToArray()))
        {
            await using var reader = await Parquet.ParquetReader.CreateAsync(stream, PredictionParquet.Options);
            var columns = reader.Metadata!.RowGroups[0].Columns;
            var fields = PredictionParquet.Schema.DataFields;
            Assert.DoesNotContain(Parquet.Meta.Encoding.PLAIN_DICTIONARY, columns[Array.FindIndex(fields, f => f.Name == "goods_code")].MetaData!.Encodings);
            Assert.Contains(Parquet.Meta.Encoding.PLAIN_DICTIONARY, columns[Array.FindIndex(fields, f => f.Name == "make")].MetaData!.Encodings);
        }

        var back = await new PredictionLogReader(temp.Store).ReadAllAsync().ToDictionaryAsync(r => r.Basket.Id);
        Assert.Equal(written.Count, back.Count);
        Assert.All(written, r => Assert.Equal(r.Basket.Items[0].GoodsCode, back[r.Basket.Id].Basket.Items[0].GoodsCode));
    }

    [Fact]
    public async Task FileOfANewerSchemaIsRefusedWithAClearMessage()
    {
        using var output = new MemoryStream();
        await PredictionParquet.WriteAsync(output, [TestData.Record("b", Noon)], 0, 1, new Dictionary<string, string> { [PredictionParquet.SchemaVersionKey] = "99" });
        output.Position = 0;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => PredictionParquet.ReadAsync(output, []));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BasketsOnlyReadSkipsTheScoreColumns()
    {
        using var output = new MemoryStream();
        await PredictionParquet.WriteAsync(output, [TestData.Record("b", Noon, 0.9)], 0, 1);
        output.Position = 0;
        var records = new List<PredictionRecord>();

        await PredictionParquet.ReadAsync(output, records, PredictionParquet.Columns.BasketsOnly);

        var record = Assert.Single(records);
        Assert.Equal("MACBOOK AIR", record.Basket.Items[0].Model);
        Assert.True(double.IsNaN(record.FraudProbability));
    }

    [Fact]
    public async Task CompactionMergesAFinishedHourIntoOneFileWithTheSameRecords()
    {
        using var temp = new TempStore();
        await WriteOldJsonLinesAsync(temp.Store, "old-1", "old-2");
        for (var flush = 0; flush < 3; flush++)
        {
            await using var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1), InstanceId = $"host{flush}" });
            for (var i = 0; i < 4; i++)
            {
                log.TryWrite(TestData.Record($"f{flush}-{i}", Noon.AddMinutes(i)));
            }
        }

        var before = await IdsAsync(temp.Store);
        var clock = new FixedClock(Noon.AddHours(2));

        var result = await new PredictionLogCompactor(temp.Store, clock).CompactFinishedHoursAsync(TimeSpan.FromDays(1));

        var names = await temp.Store.ListAsync(Containers.Predictions).Select(b => b.Name).ToListAsync();
        Assert.True(PredictionLogFormat.IsCompacted(Assert.Single(names)), string.Join(", ", names));
        Assert.Equal(14, result.Records);
        Assert.Equal(4, result.FilesReplaced);
        Assert.Equal(before, await IdsAsync(temp.Store));
        Assert.Equal(14, before.Count);

        // A part that arrives late (a spill uploaded after an outage) is read beside the compacted file, then merged.
        await using (var late = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            late.TryWrite(TestData.Record("late", Noon.AddMinutes(30)));
        }

        Assert.Contains("late", await IdsAsync(temp.Store));
        await new PredictionLogCompactor(temp.Store, clock).CompactFinishedHoursAsync(TimeSpan.FromDays(1));
        Assert.Single(await temp.Store.ListAsync(Containers.Predictions).ToListAsync());
        Assert.Equal(15, (await IdsAsync(temp.Store)).Count);
    }

    [Fact]
    public async Task CompactionInterruptedBeforeItsDeletesShowsNoRecordTwice()
    {
        using var temp = new TempStore();
        for (var flush = 0; flush < 2; flush++)
        {
            await using var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) });
            log.TryWrite(TestData.Record($"b{flush}", Noon));
        }

        var noDeletes = new NoDeleteStore(temp.Store);
        await Assert.ThrowsAsync<HttpRequestException>(() => new PredictionLogCompactor(noDeletes, new FixedClock(Noon.AddHours(2))).CompactFinishedHoursAsync(TimeSpan.FromDays(1)));

        Assert.Equal(3, await temp.Store.ListAsync(Containers.Predictions).CountAsync());
        Assert.Equal(["b0", "b1"], await IdsAsync(temp.Store));
    }

    [Fact]
    public async Task UnfinishedHourIsNotCompacted()
    {
        using var temp = new TempStore();
        for (var flush = 0; flush < 2; flush++)
        {
            await using var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) });
            log.TryWrite(TestData.Record($"b{flush}", Noon));
        }

        var result = await new PredictionLogCompactor(temp.Store, new FixedClock(Noon.AddMinutes(50))).CompactFinishedHoursAsync(TimeSpan.FromDays(1));

        Assert.Equal(0, result.Hours);
        Assert.Equal(2, await temp.Store.ListAsync(Containers.Predictions).CountAsync());
    }

    [Fact]
    public async Task BufferIsBoundedInBytesSoLargeBasketsDropSoonerThanSmallOnes()
    {
        using var temp = new TempStore();
        using var metrics = new FraudMetrics();
        using var dropped = new CounterTotal(metrics, FraudMetrics.PredictionLogDropped);
        var large = LargestRecord("big", Noon);
        var largeBytes = BufferedPredictionLog.EstimateBytes(large);
        Assert.InRange(largeBytes, 50_000, 70_000); // 24 lines of four 256-character strings

        // Writes wait until the test opens the gate: the half-full early flush starts while the records go in, and a
        // write that landed meanwhile would free room and let more in (30 instead of 19 in one CI run).
        var store = new GatedStore(temp.Store);
        await using var log = new BufferedPredictionLog(store, new PredictionLogOptions { MaxBufferBytes = 1_000_000, FlushInterval = TimeSpan.FromHours(1) }, metrics);
        var acceptedLarge = Enumerable.Range(0, 100).Count(i => log.TryWrite(LargestRecord($"big-{i}", Noon)));

        Assert.Equal(1_000_000 / largeBytes, acceptedLarge);
        Assert.Equal(100 - acceptedLarge, log.Dropped);
        Assert.Equal(log.Dropped, dropped.Total);
        Assert.True(log.BufferedBytes <= 1_000_000);

        store.Open.TrySetResult();
        await log.FlushAsync();
        Assert.Equal(0, log.BufferedBytes);
        Assert.True(log.TryWrite(LargestRecord("after-flush", Noon)), "the buffer has room again after a flush");
    }

    [Fact]
    public async Task StoreOutageSpillsToDiskAndTheSpillIsUploadedWhenTheStoreReturns()
    {
        using var temp = new TempStore();
        var spill = Path.Combine(temp.Root, "spill");
        var store = new SwitchableStore(temp.Store) { Down = true };
        await using var log = new BufferedPredictionLog(store, new PredictionLogOptions { FlushInterval = TimeSpan.FromMilliseconds(50), SpillDirectory = spill });
        for (var i = 0; i < 200; i++)
        {
            Assert.True(log.TryWrite(TestData.Record($"o-{i}", Noon.AddSeconds(i))));
        }

        await WaitUntilAsync(() => log.Spilled == 200);
        Assert.Equal(0, log.BufferedBytes); // memory released while the store is down
        Assert.NotEmpty(Directory.GetFiles(spill, "*.parquet"));

        store.Down = false;
        await WaitUntilAsync(() => log.Recovered == 200);

        Assert.Empty(Directory.GetFiles(spill));
        Assert.Equal(200, (await IdsAsync(temp.Store)).Count);
        Assert.Equal(0, log.Dropped);
    }

    [Fact]
    public async Task ShutdownDuringAnOutageLosesNothingAndTheNextStartUploadsIt()
    {
        using var temp = new TempStore();
        var spill = Path.Combine(temp.Root, "spill");
        var store = new SwitchableStore(temp.Store) { Down = true };
        var first = new BufferedPredictionLog(store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1), SpillDirectory = spill, InstanceId = "first" });
        for (var i = 0; i < 2000; i++)
        {
            first.TryWrite(TestData.Record($"s-{i}", Noon.AddSeconds(i)));
        }

        await first.DisposeAsync();

        Assert.Equal(0, first.Dropped);
        Assert.Equal(2000, first.Spilled);
        Assert.Empty(await IdsAsync(temp.Store));

        store.Down = false;
        await using var second = new BufferedPredictionLog(store, new PredictionLogOptions { FlushInterval = TimeSpan.FromMilliseconds(50), SpillDirectory = spill, InstanceId = "second" });
        await WaitUntilAsync(() => second.Recovered == 2000);

        var ids = await IdsAsync(temp.Store);
        Assert.Equal(2000, ids.Count);
        Assert.Equal(2000, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task WithoutASpillFolderAnOutageAtShutdownIsCountedAsDropped()
    {
        using var temp = new TempStore();
        var log = new BufferedPredictionLog(new SwitchableStore(temp.Store) { Down = true }, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) });
        log.TryWrite(TestData.Record("x", Noon));

        await log.DisposeAsync();

        Assert.Equal(1, log.Dropped);
    }

    [Fact]
    public void SpillFileNamesMapBackToTheirBlobNames()
    {
        var name = PredictionLogFormat.PartName(Noon, Noon, "abc1", 7);

        Assert.Equal(name, BufferedPredictionLog.SpillFileToBlobName(BufferedPredictionLog.BlobNameToSpillFile(name)));
        Assert.DoesNotContain('/', BufferedPredictionLog.BlobNameToSpillFile(name));
    }

    internal static PredictionRecord LargestRecord(string id, DateTimeOffset at)
    {
        var text = new string('x', Basket.MaxStringLength);
        var items = Enumerable.Range(0, Basket.MaxItems).Select(i => new BasketItem(text, 1000 + i, text, text, text, 1)).ToArray();
        return new PredictionRecord(new Basket(id, items), 0.1, Decision.Approve, "3", at, "http");
    }

    private static async Task WriteOldJsonLinesAsync(FileBlobStore store, params string[] ids)
    {
        await store.CreateContainerIfNotExistsAsync(Containers.Predictions);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var id in ids)
        {
            PredictionLogFormat.WriteLine(buffer, TestData.Record(id, Noon));
        }

        await store.PutAsync(Containers.Predictions, PredictionLogFormat.BlobName(Noon, Noon, "old", 1), buffer.WrittenMemory);
    }

    private static async Task<List<string>> IdsAsync(IBlobStore store) =>
        (await new PredictionLogReader(store).ReadAllAsync().Select(r => r.Basket.Id).ToListAsync()).Order(StringComparer.Ordinal).ToList();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "condition not reached within 30 s");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A store outage: every call fails as an unreachable Blob endpoint does, until <see cref="Down"/> is cleared.</summary>
    private sealed class SwitchableStore(IBlobStore inner) : DelegatingBlobStore(inner)
    {
        public volatile bool Down;

        public override Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default) =>
            Down ? Task.FromException(new HttpRequestException("Connection refused")) : base.CreateContainerIfNotExistsAsync(container, ct);

        public override Task<string> PutAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, string contentType = "application/octet-stream", CancellationToken ct = default) =>
            Down ? Task.FromException<string>(new HttpRequestException("Connection refused")) : base.PutAsync(container, name, content, condition, contentType, ct);
    }

    /// <summary>A store whose writes wait until <see cref="Open"/> is set (a slow store, held still for a test).</summary>
    private sealed class GatedStore(IBlobStore inner) : DelegatingBlobStore(inner)
    {
        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<string> PutAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, string contentType = "application/octet-stream", CancellationToken ct = default)
        {
            await Open.Task.WaitAsync(ct);
            return await base.PutAsync(container, name, content, condition, contentType, ct);
        }

        public override async Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default)
        {
            await Open.Task.WaitAsync(ct);
            return await base.UploadAsync(container, name, content, contentType, ct);
        }
    }

    private sealed class NoDeleteStore(IBlobStore inner) : DelegatingBlobStore(inner)
    {
        public override Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default) => throw new HttpRequestException("the process stopped here");
    }
}
