using System.Diagnostics;

namespace FraudFunctions.Status;

/// <summary>
/// Rolling per-second counters over the last minute for the test page's monitoring view: scoring requests, flagged
/// baskets and a latency histogram. Lock-free increments so that the hot path pays a few interlocked adds.
/// </summary>
public sealed class RequestStats
{
    public const int WindowSeconds = 60;

    /// <summary>Latencies from here on are counted in one overflow bucket and shown as "at least" this.</summary>
    public const double MaxLatencyMs = 100_000;

    // Latency buckets: 0.05 ms steps up to 5 ms, 1 ms steps up to 100 ms, then 5 % steps up to 100 s (a 1,000-basket
    // batch request takes hundreds of milliseconds: it used to land in one ">= 100 ms" bucket), then one overflow bucket.
    private const int FineBuckets = 100;
    private const int CoarseBuckets = 95;
    private const double LogStep = 1.05;
    private static readonly int LogBuckets = (int)Math.Ceiling(Math.Log(MaxLatencyMs / 100) / Math.Log(LogStep));
    private static readonly int BucketCount = FineBuckets + CoarseBuckets + LogBuckets + 1;

    private readonly Second[] _seconds = new Second[WindowSeconds];
    private readonly TimeProvider _time;

    public RequestStats(TimeProvider time)
    {
        _time = time;
        for (var i = 0; i < _seconds.Length; i++)
        {
            _seconds[i] = new Second();
        }
    }

    /// <summary>Counts one scoring request: its latency, the baskets it scored and how many of them were flagged.</summary>
    public void Record(TimeSpan latency, int baskets, int flagged)
    {
        var second = Current();
        Interlocked.Increment(ref second.Requests);
        Interlocked.Add(ref second.Baskets, baskets);
        if (flagged > 0)
        {
            Interlocked.Add(ref second.Flagged, flagged);
        }

        Interlocked.Increment(ref second.Latency[Bucket(latency.TotalMilliseconds)]);
    }

    /// <summary>Summarises the last minute.</summary>
    public StatsWindow Snapshot()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        long requests = 0, baskets = 0, flagged = 0;
        var histogram = new long[BucketCount];
        foreach (var second in _seconds)
        {
            var stamp = Volatile.Read(ref second.Stamp);
            if (now - stamp >= WindowSeconds || stamp > now)
            {
                continue;
            }

            requests += Volatile.Read(ref second.Requests);
            baskets += Volatile.Read(ref second.Baskets);
            flagged += Volatile.Read(ref second.Flagged);
            for (var b = 0; b < BucketCount; b++)
            {
                histogram[b] += Volatile.Read(ref second.Latency[b]);
            }
        }

        return new StatsWindow(
            WindowSeconds,
            requests / (double)WindowSeconds,
            baskets,
            baskets == 0 ? 0 : flagged / (double)baskets,
            Percentile(histogram, requests, 0.50),
            Percentile(histogram, requests, 0.99));
    }

    private Second Current()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var second = _seconds[(int)(now % WindowSeconds)];
        var stamp = Volatile.Read(ref second.Stamp);
        if (stamp != now && Interlocked.CompareExchange(ref second.Stamp, now, stamp) == stamp)
        {
            // This thread won the roll-over of a stale bucket; a concurrent add in the same tick may be lost, which a
            // monitoring view can afford.
            second.Reset();
        }

        return second;
    }

    private static int Bucket(double ms)
    {
        if (ms < 5)
        {
            return Math.Max(0, (int)(ms / 0.05));
        }

        if (ms < 100)
        {
            return FineBuckets + (int)(ms - 5);
        }

        return ms < MaxLatencyMs ? FineBuckets + CoarseBuckets + Math.Min(LogBuckets - 1, (int)(Math.Log(ms / 100) / Math.Log(LogStep))) : BucketCount - 1;
    }

    /// <summary>The upper bound of a bucket (the overflow bucket's lower bound).</summary>
    private static double UpperBound(int b) => b switch
    {
        < FineBuckets => (b + 1) * 0.05,
        < FineBuckets + CoarseBuckets => 5 + (b - FineBuckets + 1),
        _ when b < BucketCount - 1 => Math.Min(MaxLatencyMs, 100 * Math.Pow(LogStep, b - FineBuckets - CoarseBuckets + 1)),
        _ => MaxLatencyMs,
    };

    private static double? Percentile(long[] histogram, long total, double q)
    {
        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var b = 0; b < histogram.Length; b++)
        {
            seen += histogram[b];
            if (seen >= rank)
            {
                return UpperBound(b);
            }
        }

        return MaxLatencyMs;
    }

    private sealed class Second
    {
        public long Stamp = -1;
        public long Requests;
        public long Baskets;
        public long Flagged;
        public long[] Latency = new long[BucketCount];

        public void Reset()
        {
            Volatile.Write(ref Requests, 0);
            Volatile.Write(ref Baskets, 0);
            Volatile.Write(ref Flagged, 0);
            Array.Clear(Latency);
        }
    }

    /// <summary>Elapsed time since a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public static TimeSpan Since(long start) => Stopwatch.GetElapsedTime(start);
}

/// <summary>The last minute of scoring traffic; latencies are upper bucket bounds in milliseconds.</summary>
public sealed record StatsWindow(int WindowSeconds, double RequestsPerSecond, long Baskets, double FlaggedRate, double? LatencyP50Ms, double? LatencyP99Ms);
