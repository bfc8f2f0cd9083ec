using Fraud.Monitoring.Telemetry;
using Fraud.Registry.Storage;
using Microsoft.Extensions.Logging;

namespace Fraud.Monitoring.Tests;

/// <summary>
/// Disposal is the prediction log's last flush: every record accepted before <c>DisposeAsync</c> must be stored, once,
/// when any <c>DisposeAsync</c> call completes, including a second owner's and one that lands while a periodic flush is
/// in flight.
/// </summary>
public sealed class PredictionLogDisposalTests
{
    private const int Iterations = 200;
    private static readonly DateTimeOffset Noon = new(2026, 3, 14, 12, 15, 0, TimeSpan.Zero);

    [Fact]
    public async Task EveryAcceptedRecordIsStoredExactlyOnceWhenDisposeCompletes()
    {
        var failures = new List<string>();
        // Iterations are independent (a store and a log each); a few at a time keep the test quick on a small machine.
        await Parallel.ForAsync(0, Iterations, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (iteration, ct) =>
        {
            using var temp = new TempStore();
            var store = new SlowStore(temp.Store);
            var count = iteration * 7 % 26;
            var log = new BufferedPredictionLog(store, new PredictionLogOptions
            {
                // Small intervals and blobs keep a periodic flush of several slow writes in flight at disposal.
                FlushInterval = TimeSpan.FromMilliseconds(1 + (iteration % 3)),
                MaxRecordsPerBlob = 6 + (iteration % 5),
                InstanceId = $"it{iteration}",
            });

            var expected = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var id = $"i{iteration}-r{i}";
                Assert.True(log.TryWrite(TestData.Record(id, Noon.AddHours(i % 2))));
                expected.Add(id);
                if (i == count / 2)
                {
                    await Task.Delay(1 + (iteration % 2), ct);
                }
            }

            if (iteration % 2 == 0)
            {
                await log.DisposeAsync();
                await CheckAsync("dispose");
            }
            else
            {
                // Two owners dispose at once (as a host's factory and its app both dispose the container): the one
                // that arrives second must not return before the records are stored either.
                var first = log.DisposeAsync().AsTask();
                var second = log.DisposeAsync().AsTask();
                await second;
                await CheckAsync("second dispose");
                await first;
            }

            async Task CheckAsync(string after)
            {
                var stored = (await new PredictionLogReader(temp.Store).ReadAllAsync(ct).ToListAsync(ct)).Select(r => r.Basket.Id).ToList();
                var missing = expected.Except(stored, StringComparer.Ordinal).Count();
                var duplicated = stored.Count - stored.Distinct(StringComparer.Ordinal).Count();
                if (missing > 0 || duplicated > 0 || stored.Count != expected.Count)
                {
                    lock (failures)
                    {
                        failures.Add($"iteration {iteration} ({count} records, after {after}): {missing} missing, {duplicated} duplicated");
                    }
                }
            }
        });

        Assert.True(failures.Count == 0, $"{failures.Count} of {Iterations} iterations lost or duplicated records:\n{string.Join('\n', failures.Order(StringComparer.Ordinal).Take(15))}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RecordsTheStoreRefusesAtDisposeAreCountedAndLoggedNotThrown(bool storeError)
    {
        using var temp = new TempStore();
        using var metrics = new FraudMetrics();
        using var counted = new CounterTotal(metrics, FraudMetrics.PredictionLogDropped);
        Exception failure = storeError ? new BlobStoreException("unavailable", 503, "ServerBusy") : new UnauthorizedAccessException("denied");
        var logger = new ListLogger();

        var log = new BufferedPredictionLog(new SlowStore(temp.Store, failure), new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }, metrics, logger: logger);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(log.TryWrite(TestData.Record($"b-{i}", Noon)));
        }

        await log.DisposeAsync();

        Assert.Equal(5, log.Dropped);
        Assert.Equal(5, counted.Total);
        Assert.Equal(0, log.Written);
        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("5 records", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("b-", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFrozenStoreAtShutdownSendsTheRecordsToTheSpillWithinTheTimeout()
    {
        // fraud-chaos: SIGTERM while Azurite was frozen left the handler alive 90 s later (the final write waited on
        // the store for ever) and the 2,000 records it held were lost when it was killed.
        var (spilled, spillFiles) = await ShutDownOnAFrozenStoreAsync(flushInterval: TimeSpan.FromHours(1), beforeShutdown: TimeSpan.Zero);

        Assert.Equal(5, spilled);
        Assert.NotEmpty(spillFiles);
    }

    [Fact]
    public async Task AShutdownDuringAPeriodicFlushStuckOnAFrozenStoreSpillsWithinTheTimeout()
    {
        // fraud-chaos, second run: SIGTERM with Azurite frozen still hung, because a periodic flush already waiting on
        // the store had no deadline and shutdown waited for it before its own bounded write. The pause lets a periodic
        // flush take the records and get stuck on the store.
        var (spilled, spillFiles) = await ShutDownOnAFrozenStoreAsync(flushInterval: TimeSpan.FromMilliseconds(20), beforeShutdown: TimeSpan.FromMilliseconds(300));

        Assert.Equal(5, spilled);
        Assert.NotEmpty(spillFiles);
    }

    // Five records into a log over a store that never answers, then disposal, which must finish within 30 s.
    private static async Task<(long Spilled, List<string> SpillFiles)> ShutDownOnAFrozenStoreAsync(TimeSpan flushInterval, TimeSpan beforeShutdown)
    {
        using var temp = new TempStore();
        var spill = Path.Combine(Path.GetTempPath(), "spill-frozen-" + Guid.NewGuid().ToString("N"));
        try
        {
            var log = new BufferedPredictionLog(new FrozenStore(temp.Store), new PredictionLogOptions
            {
                FlushInterval = flushInterval,
                SpillDirectory = spill,
                ShutdownFlushTimeout = TimeSpan.FromSeconds(1),
                InstanceId = "frozen",
            });
            for (var i = 0; i < 5; i++)
            {
                Assert.True(log.TryWrite(TestData.Record($"f{i}", Noon)));
            }

            await Task.Delay(beforeShutdown);
            await log.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            return (log.Spilled, [.. Directory.EnumerateFiles(spill)]);
        }
        finally
        {
            if (Directory.Exists(spill))
            {
                Directory.Delete(spill, recursive: true);
            }
        }
    }

    /// <summary>A store that never answers a write (a frozen process, a hung connection) until the caller gives up.</summary>
    private sealed class FrozenStore(IBlobStore inner) : DelegatingBlobStore(inner)
    {
        public override Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default) => Task.Delay(Timeout.Infinite, ct);

        public override async Task<string> PutAsync(
            string container,
            string name,
            ReadOnlyMemory<byte> content,
            BlobWriteCondition condition = default,
            string contentType = "application/octet-stream",
            CancellationToken ct = default)
        {
            await Task.Delay(Timeout.Infinite, ct);
            return string.Empty;
        }

        public override async Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default)
        {
            await Task.Delay(Timeout.Infinite, ct);
            return string.Empty;
        }
    }

    /// <summary>
    /// A store with a remote store's timing: each write takes a moment and lands even when the caller stops waiting
    /// (it then sees the cancellation, as with a request whose response never arrived); or every write fails.
    /// </summary>
    private sealed class SlowStore(IBlobStore inner, Exception? failure = null) : DelegatingBlobStore(inner)
    {
        public override async Task<string> PutAsync(
            string container,
            string name,
            ReadOnlyMemory<byte> content,
            BlobWriteCondition condition = default,
            string contentType = "application/octet-stream",
            CancellationToken ct = default)
        {
            await Task.Delay(1, CancellationToken.None);
            if (failure is not null)
            {
                throw failure;
            }

            var etag = await Inner.PutAsync(container, name, content, condition, contentType, CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            return etag;
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
