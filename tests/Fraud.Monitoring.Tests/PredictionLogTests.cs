using System.Text.RegularExpressions;
using Fraud.Model;
using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Fraud.Registry.Storage;
using Fraud.Testing;

namespace Fraud.Monitoring.Tests;

public sealed partial class PredictionLogTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 14, 12, 15, 0, TimeSpan.Zero);

    [Fact]
    public async Task FlushedRecordsAreReadBackWithEverything()
    {
        using var temp = new TempStore();
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            Assert.True(log.TryWrite(TestData.Record("b-1", Noon, 0.91)));
            await log.FlushAsync();
        }

        var records = await new PredictionLogReader(temp.Store).ReadWindowAsync(Noon.AddHours(-1), Noon.AddHours(1)).ToListAsync();

        var record = Assert.Single(records);
        Assert.Equal("b-1", record.Basket.Id);
        Assert.Equal(2, record.Basket.Items.Count);
        Assert.Equal("MACBOOK AIR", record.Basket.Items[0].Model);
        Assert.Equal(2, record.Basket.Items[1].Quantity);
        Assert.Equal(0.91, record.FraudProbability);
        Assert.Equal(Decision.Decline, record.Decision);
        Assert.Equal("3", record.ModelVersion);
        Assert.Equal(Noon, record.ScoredAt);
        Assert.Equal("http", record.Source);
    }

    [Fact]
    public async Task RecordsArePartitionedByTheHourTheyWereScored()
    {
        using var temp = new TempStore();
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1), InstanceId = "host-a" }))
        {
            log.TryWrite(TestData.Record("early", Noon));
            log.TryWrite(TestData.Record("late", Noon.AddHours(3)));
        }

        var names = await temp.Store.ListAsync(Containers.Predictions).Select(b => b.Name).ToListAsync();

        Assert.Equal(2, names.Count);
        Assert.Matches(BlobName(), names[0]);
        Assert.StartsWith("2026/03/14/12/", names[0], StringComparison.Ordinal);
        Assert.StartsWith("2026/03/14/15/", names[1], StringComparison.Ordinal);
        Assert.Contains("-hosta-", names[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WindowReadLeavesOutRecordsOutsideTheWindow()
    {
        using var temp = new TempStore();
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (var i = 0; i < 48; i++)
            {
                log.TryWrite(TestData.Record($"b-{i}", Noon.AddHours(-i)));
            }
        }

        var reader = new PredictionLogReader(temp.Store);
        var lastDay = await reader.ReadWindowAsync(Noon.AddHours(-23.5), Noon.AddMinutes(1)).ToListAsync();
        var all = await reader.ReadAllAsync().ToListAsync();

        Assert.Equal(24, lastDay.Count);
        Assert.DoesNotContain(lastDay, r => r.Basket.Id == "b-24");
        Assert.Equal(48, all.Count);
    }

    [Fact]
    public async Task FullBufferDropsAndCountsInsteadOfBlocking()
    {
        using var temp = new TempStore();
        using var metrics = new FraudMetrics();
        using var dropped = new CounterTotal(metrics, FraudMetrics.PredictionLogDropped);

        await using var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { Capacity = 10, FlushInterval = TimeSpan.FromHours(1) }, metrics);
        var accepted = Enumerable.Range(0, 25).Count(i => log.TryWrite(TestData.Record($"b-{i}", Noon)));

        Assert.Equal(10, accepted);
        Assert.Equal(15, log.Dropped);
        Assert.Equal(15, dropped.Total);

        await log.FlushAsync();
        Assert.True(log.TryWrite(TestData.Record("after-flush", Noon)), "the buffer has room again after a flush");
        Assert.Equal(10, log.Written);
    }

    [Fact]
    public async Task BackgroundFlushWritesWithoutBeingAsked()
    {
        using var temp = new TempStore();
        await using var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromMilliseconds(100) });
        log.TryWrite(TestData.Record("b-1", Noon));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (log.Written == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, log.Written);
        Assert.Single(await new PredictionLogReader(temp.Store).ReadAllAsync().ToListAsync());
    }

    [Fact]
    public async Task LargeIntervalIsSplitIntoSeveralBlobs()
    {
        using var temp = new TempStore();
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1), MaxRecordsPerBlob = 40 }))
        {
            for (var i = 0; i < 100; i++)
            {
                log.TryWrite(TestData.Record($"b-{i}", Noon));
            }
        }

        Assert.Equal(3, await temp.Store.ListAsync(Containers.Predictions).CountAsync());
        Assert.Equal(100, await new PredictionLogReader(temp.Store).ReadAllAsync().CountAsync());
    }

    [Fact]
    public async Task MalformedLinesAreSkippedNotFatal()
    {
        using var temp = new TempStore();
        await temp.Store.CreateContainerIfNotExistsAsync(Containers.Predictions);
        var good = new System.Buffers.ArrayBufferWriter<byte>();
        PredictionLogFormat.WriteLine(good, TestData.Record("ok", Noon));
        var content = good.WrittenSpan.ToArray().Concat("{not json\n"u8.ToArray()).ToArray();
        await temp.Store.PutAsync(Containers.Predictions, "2026/03/14/12/x.jsonl", content);

        var reader = new PredictionLogReader(temp.Store);
        var records = await reader.ReadWindowAsync(Noon.AddHours(-1), Noon.AddHours(1)).ToListAsync();

        Assert.Equal("ok", Assert.Single(records).Basket.Id);
        Assert.Equal(1, reader.SkippedLines);
    }

    [Fact]
    public async Task PredictionLogWorksAgainstAzureBlobStorage()
    {
        var store = BlobStoreFactory.Create(azurite.ConnectionString);
        await using (var log = new BufferedPredictionLog(store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (var i = 0; i < 5; i++)
            {
                log.TryWrite(TestData.Record($"az-{i}", Noon.AddMinutes(i)));
            }
        }

        var records = await new PredictionLogReader(store).ReadWindowAsync(Noon, Noon.AddHours(1)).ToListAsync();

        Assert.Equal(["az-0", "az-1", "az-2", "az-3", "az-4"], records.Select(r => r.Basket.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LongWindowsListWholeDaysAndOnlyTheEdgesHourByHour()
    {
        var prefixes = PredictionLogReader.Prefixes(new DateTimeOffset(2026, 3, 12, 22, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 15, 1, 10, 0, TimeSpan.Zero)).ToList();

        Assert.Equal(["2026/03/12/22/", "2026/03/12/23/", "2026/03/13/", "2026/03/14/", "2026/03/15/00/", "2026/03/15/01/"], prefixes);
    }

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2}/\d{2}/part-\d{8}T\d{9}Z-[a-z0-9]+-\d{6}\.parquet$")]
    private static partial Regex BlobName();
}
