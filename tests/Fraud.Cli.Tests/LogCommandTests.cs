using System.Buffers;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Monitoring;
using Fraud.Registry;
using Fraud.Registry.Storage;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

/// <summary>`fraud log query|compact|convert` through the real entry point on a real file store.</summary>
public sealed class LogCommandTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 14, 12, 15, 0, TimeSpan.Zero);
    private readonly TempDirectory _folder = new("fraud-cli-log");

    private string Store => _folder.File("store");

    [Fact]
    public async Task QueryRunsSqlOverTheLoggedBasketsWithDuckDb()
    {
        await LogAsync(("a", 0.9, Decision.Decline), ("b", 0.01, Decision.Approve), ("c", 0.02, Decision.Approve));

        var (code, stdout, stderr) = await CliHarness.RunAsync("log", "query", "SELECT decision, count(*) AS baskets, sum(quantity) AS units FROM predictions GROUP BY ALL ORDER BY decision", "--store", Store);

        Assert.True(code == 0, stderr);
        Assert.Equal(["decision\tbaskets\tunits", "approve\t4\t6", "decline\t2\t3"], stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task QueryAfterCompactionCountsEveryBasketOnce()
    {
        await LogAsync(("a", 0.9, Decision.Decline));
        await LogAsync(("b", 0.01, Decision.Approve));
        var store = BlobStoreFactory.Create(Store);
        await new PredictionLogCompactor(store, new FixedClock(Noon.AddHours(3))).CompactFinishedHoursAsync(TimeSpan.FromDays(1));

        var (code, stdout, stderr) = await CliHarness.RunAsync("log", "query", "SELECT count(*) FROM predictions WHERE line = 0", "--store", Store);

        Assert.True(code == 0, stderr);
        Assert.Equal("2", stdout.TrimEnd('\n').Split('\n')[1]);
    }

    [Fact]
    public async Task ConvertTurnsOldJsonLinesIntoParquetWithoutLosingARecord()
    {
        var store = BlobStoreFactory.Create(Store);
        await store.CreateContainerIfNotExistsAsync(Containers.Predictions);
        var lines = new ArrayBufferWriter<byte>();
        PredictionLogFormat.WriteLine(lines, Record("old-1", 0.3, Decision.Review));
        PredictionLogFormat.WriteLine(lines, Record("old-2", 0.01, Decision.Approve));
        await store.PutAsync(Containers.Predictions, PredictionLogFormat.BlobName(Noon, Noon, "old", 1), lines.WrittenMemory);

        var (code, stdout, stderr) = await CliHarness.RunAsync("log", "convert", "--store", Store);

        Assert.True(code == 0, stderr);
        Assert.Contains("2 records", stdout, StringComparison.Ordinal);
        var names = await store.ListAsync(Containers.Predictions).Select(b => b.Name).ToListAsync();
        Assert.True(PredictionLogFormat.IsCompacted(Assert.Single(names)));
        var ids = await new PredictionLogReader(store).ReadAllAsync().Select(r => r.Basket.Id).ToListAsync();
        Assert.Equal(["old-1", "old-2"], ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BadSqlFailsWithOneClearLine()
    {
        var (code, _, stderr) = await CliHarness.RunAsync("log", "query", "SELEC nothing", "--store", Store);

        Assert.Equal(1, code);
        Assert.Contains("log query:", stderr, StringComparison.Ordinal);
        Assert.Contains("syntax error", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private async Task LogAsync(params (string Id, double P, Decision D)[] records)
    {
        await using var log = new BufferedPredictionLog(BlobStoreFactory.Create(Store), new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) });
        foreach (var (id, p, d) in records)
        {
            log.TryWrite(Record(id, p, d));
        }
    }

    private static PredictionRecord Record(string id, double p, Decision d) =>
        new(new Basket(id, [new BasketItem("COMPUTERS", 999, "APPLE", "MACBOOK", "239001", 1), new BasketItem("WARRANTY", 30, "", "", "", 2)]), p, d, "3", Noon, "http");

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
