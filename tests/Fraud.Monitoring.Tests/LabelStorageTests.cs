using System.Text;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring.Tests;

// Issue 14 items 8 and 15: labels partitioned by arrival hour and compacted, only scored baskets, one label per basket.
public sealed class LabelStorageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 20, 0, TimeSpan.Zero);

    [Fact]
    public async Task EachPostIsAPartInItsArrivalHourAndAWindowReadsOnlyItsHours()
    {
        using var temp = new TempStore();
        var clock = new ManualClock(Now.AddDays(-100));
        var labels = new LabelStore(temp.Store, clock);
        await labels.AppendAsync([new FraudLabel("old", true, "chargeback", clock.GetUtcNow())]);
        clock.Now = Now;
        var name = await labels.AppendAsync([new FraudLabel("new", false, "review", Now)]);

        var window = await labels.ReadWindowAsync(Now.AddDays(-90), Now.AddMinutes(1));

        Assert.StartsWith("2026/11/30/10/part-", name, StringComparison.Ordinal);
        Assert.Equal(["new"], window.Select(l => l.Id));
        Assert.Equal(["new", "old"], (await labels.ReadAllAsync()).Select(l => l.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PerPostBlobsOfTheOldLayoutStayReadableAndCompactionMergesThemIntoTheirHour()
    {
        using var temp = new TempStore();
        await temp.Store.CreateContainerIfNotExistsAsync(Containers.Labels);
        // As the first version wrote them: one blob per POST directly under the day folder.
        await temp.Store.PutAsync(Containers.Labels, "2026/11/30/20261130T081500123Z-0f0e.json", Encoding.UTF8.GetBytes("""[{"id":"a","fraudFlag":true,"source":"chargeback","observedAt":"2026-11-29T10:00:00Z"}]"""));
        await temp.Store.PutAsync(Containers.Labels, "2026/11/30/20261130T084500123Z-0f0f.json", Encoding.UTF8.GetBytes("""[{"id":"b","fraudFlag":false,"source":"review","observedAt":"2026-11-29T11:00:00Z"}]"""));
        var labels = new LabelStore(temp.Store, new ManualClock(Now));
        await labels.AppendAsync([new FraudLabel("c", true, "chargeback", Now)]);

        var before = await labels.ReadWindowAsync(Now.AddDays(-1), Now.AddMinutes(1));
        var compaction = await labels.CompactFinishedHoursAsync(TimeSpan.FromDays(90));
        var after = await labels.ReadWindowAsync(Now.AddDays(-1), Now.AddMinutes(1));
        var blobs = await temp.Store.ListAsync(Containers.Labels).Select(b => b.Name).ToListAsync();

        Assert.Equal(["a", "b", "c"], before.Select(l => l.Id));
        Assert.Equal(["a", "b", "c"], after.Select(l => l.Id).Order(StringComparer.Ordinal));
        Assert.Equal(1, compaction.Hours); // 08:00 (two old blobs); 10:00 is not finished, and holds one part anyway
        Assert.Equal(2, compaction.FilesReplaced);
        Assert.Contains(blobs, b => b.StartsWith("2026/11/30/08/compacted-", StringComparison.Ordinal));
        Assert.DoesNotContain(blobs, b => b.StartsWith("2026/11/30/2026", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompactionKeepsOneLabelPerBasketTheOneInForce()
    {
        using var temp = new TempStore();
        var clock = new ManualClock(Now.AddHours(-3));
        var labels = new LabelStore(temp.Store, clock);
        var observed = Now.AddDays(-2);
        await labels.AppendAsync([new FraudLabel("a", false, "review", observed)]);
        await labels.AppendAsync([new FraudLabel("a", false, "review", observed)]);
        await labels.AppendAsync([new FraudLabel("a", true, "chargeback", observed.AddDays(1)), new FraudLabel("b", true, "chargeback", observed)]);
        await labels.AppendAsync([new FraudLabel("a", false, "review", observed)]); // late, and older than the chargeback
        clock.Now = Now;

        var compaction = await labels.CompactFinishedHoursAsync(TimeSpan.FromDays(1));
        var stored = await labels.ReadAllAsync();

        Assert.Equal(4, compaction.FilesReplaced);
        Assert.Equal(2, stored.Count);
        Assert.True(stored.Single(l => l.Id == "a").FraudFlag);
        Assert.Single(await temp.Store.ListAsync(Containers.Labels).ToListAsync());
    }

    [Fact]
    public async Task TheLabelInForceIsTheNewestObservationAcrossBlobs()
    {
        using var temp = new TempStore();
        var labels = new LabelStore(temp.Store, new ManualClock(Now));
        var observed = Now.AddDays(-2);
        await labels.AppendAsync([new FraudLabel("a", false, "review", observed)]);
        await labels.AppendAsync([new FraudLabel("a", true, "chargeback", observed.AddDays(1))]);
        await labels.AppendAsync([new FraudLabel("a", false, "review", observed)]);

        var inForce = await labels.InForceAsync(["a", "unknown"], Now.AddDays(-90), Now.AddMinutes(1));

        Assert.Equal(["a"], inForce.Keys);
        Assert.True(inForce["a"].Covers(new FraudLabel("a", true, "chargeback", observed.AddDays(1)))); // the same again
        Assert.True(inForce["a"].Covers(new FraudLabel("a", false, "review", observed))); // older than the one in force
        Assert.False(inForce["a"].Covers(new FraudLabel("a", false, "review", observed.AddDays(2)))); // newer: supersedes
        Assert.False(inForce["a"].Covers(new FraudLabel("a", true, "other-feed", observed.AddDays(1)))); // same time, another source
    }

    [Fact]
    public async Task TheScoredIndexFindsOnlyBasketsScoredInTheWindowBeforeAndAfterCompaction()
    {
        using var temp = new TempStore();
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            log.TryWrite(TestData.Record("s-1", Now.AddHours(-5)));
            log.TryWrite(TestData.Record("s-2", Now.AddHours(-5).AddMinutes(1)));
            log.TryWrite(TestData.Record("s-old", Now.AddDays(-100)));
            await log.FlushAsync();
            log.TryWrite(TestData.Record("s-3", Now.AddHours(-5).AddMinutes(2)));
            await log.FlushAsync();
        }

        var index = new ScoredBasketIndex(temp.Store);
        var window = (Now.AddDays(-90), Now.AddMinutes(1));
        var before = await index.FindScoredAsync(["s-1", "s-3", "s-old", "never"], window.Item1, window.Item2);
        var readFirst = index.BlobsRead;
        var again = await index.FindScoredAsync(["s-2"], window.Item1, window.Item2);
        var readAgain = index.BlobsRead;
        await new PredictionLogCompactor(temp.Store, new ManualClock(Now)).CompactFinishedHoursAsync(TimeSpan.FromDays(1));
        var compacted = await index.FindScoredAsync(["s-1", "s-2", "s-3", "never"], window.Item1, window.Item2);

        Assert.Equal(["s-1", "s-3"], before.Order(StringComparer.Ordinal));
        Assert.Equal(["s-2"], again);
        Assert.Equal(2, readFirst); // the two parts of the window; the part of 100 days ago is not read
        Assert.Equal(readFirst, readAgain); // a second lookup reads nothing it has read
        Assert.Equal(readFirst + 1, index.BlobsRead); // the compacted file, once
        Assert.Equal(["s-1", "s-2", "s-3"], compacted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NoSourceSuppliesMoreThanItsShareOnceTwoSourcesLabel()
    {
        var start = Now.AddDays(-10);
        var rows = new List<LabelledPrediction>();
        for (var i = 0; i < 1000; i++)
        {
            // A flood from one feed: 900 rows against 100 from chargebacks, interleaved in time.
            var source = i % 10 == 0 ? "chargeback" : "flood";
            rows.Add(new LabelledPrediction(TestData.Basket($"b-{i}"), i % 3 == 0, start.AddMinutes(i), start.AddDays(1), source));
        }

        var capped = TrainingSetBuilder.CapSources(rows, 0.8, out var leftOut);
        var set = TrainingSetBuilder.Build(null, null, rows, 0.3, 0, maxSourceShare: 0.8);
        var holdoutFlood = set.HoldoutBaskets.Count(b => rows.Single(r => r.Basket.Id == b.Id).Source == "flood");

        Assert.Equal(100, capped.Count(r => r.Source == "chargeback"));
        Assert.Equal(400, capped.Count(r => r.Source == "flood")); // 400 = 0.8 of the 500 kept
        Assert.Equal(500, leftOut["flood"]);
        Assert.Equal(500, set.LabelledRows);
        Assert.InRange(holdoutFlood / (double)set.HoldoutBaskets.Count, 0.7, 0.85); // the gate's holdout has the same mix
    }

    [Fact]
    public void ASingleSourceOrAShareOfOneKeepsEveryRow()
    {
        var rows = Enumerable.Range(0, 50).Select(i => new LabelledPrediction(TestData.Basket($"b-{i}"), i % 2 == 0, Now.AddMinutes(i), Now, "chargeback")).ToList();
        var mixed = rows.Select((r, i) => i < 10 ? r with { Source = "review" } : r).ToList();

        Assert.Equal(50, TrainingSetBuilder.CapSources(rows, 0.5, out _).Count);
        Assert.Equal(50, TrainingSetBuilder.CapSources(mixed, 1.0, out _).Count);
        Assert.Equal(20, TrainingSetBuilder.CapSources(mixed, 0.5, out _).Count); // 10 + 10
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
