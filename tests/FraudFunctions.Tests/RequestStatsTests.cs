using FraudFunctions.Status;

namespace FraudFunctions.Tests;

public sealed class RequestStatsTests
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(42)]
    [InlineData(250)]
    [InlineData(1800)]
    [InlineData(45_000)]
    public void ShowsTheLatencyOfSlowBatchRequestsNotJustAFloorOf100Ms(double milliseconds)
    {
        var stats = new RequestStats(TimeProvider.System);
        stats.Record(TimeSpan.FromMilliseconds(milliseconds), baskets: 1000, flagged: 0);

        var p50 = stats.Snapshot().LatencyP50Ms!.Value;

        // A bucket's upper bound: never below the real figure, at most 5 % (or 1 ms, 0.05 ms below 5 ms) above it.
        Assert.InRange(p50, milliseconds, Math.Max(milliseconds * 1.05, milliseconds + 1));
    }

    [Fact]
    public void CountsLatenciesBeyondTheLastBucketAsAtLeastItsBound()
    {
        var stats = new RequestStats(TimeProvider.System);
        stats.Record(TimeSpan.FromMinutes(5), baskets: 1, flagged: 0);

        Assert.Equal(RequestStats.MaxLatencyMs, stats.Snapshot().LatencyP99Ms);
    }
}
