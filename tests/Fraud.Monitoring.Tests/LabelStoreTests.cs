using Fraud.Registry;

namespace Fraud.Monitoring.Tests;

public sealed class LabelStoreTests
{
    private static readonly DateTimeOffset Day = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AppendedBatchesAreAllReadBack()
    {
        using var temp = new TempStore();
        var labels = new LabelStore(temp.Store);

        await labels.AppendAsync([new FraudLabel("a", true, "api", Day), new FraudLabel("b", false, "api", Day)]);
        await labels.AppendAsync([new FraudLabel("c", true, "chargebacks", Day.AddDays(1))]);
        var all = await labels.ReadAllAsync();

        Assert.Equal(["a", "b", "c"], all.Select(l => l.Id).Order(StringComparer.Ordinal));
        Assert.Equal("chargebacks", all.Single(l => l.Id == "c").Source);
        Assert.Equal(2, await temp.Store.ListAsync(Containers.Labels).CountAsync());
    }

    [Fact]
    public async Task NewestLabelForABasketWins()
    {
        using var temp = new TempStore();
        var labels = new LabelStore(temp.Store);
        await labels.AppendAsync([new FraudLabel("a", false, "api", Day)]);
        await labels.AppendAsync([new FraudLabel("a", true, "chargebacks", Day.AddDays(30))]);

        var latest = LabelStore.LatestById(await labels.ReadAllAsync());

        Assert.True(latest["a"].FraudFlag);
    }

    [Fact]
    public async Task EmptyBatchWritesNothingAndBlankIdIsRejected()
    {
        using var temp = new TempStore();
        var labels = new LabelStore(temp.Store);

        Assert.Null(await labels.AppendAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => labels.AppendAsync([new FraudLabel(" ", true, "api", Day)]));
        Assert.Empty(await labels.ReadAllAsync());
    }
}
