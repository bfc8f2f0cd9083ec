using Fraud.Baskets;
using Fraud.Model;
using Fraud.Monitoring;
using Fraud.Registry.Storage;
using FraudFunctions.Composition;
using Microsoft.Extensions.Logging;

namespace FraudFunctions.Tests;

/// <summary>
/// Issue 14: SIGTERM while the store was frozen lost nothing but took 50.4 s to exit. The host's stopping flush
/// (<see cref="PredictionLogFlusher"/>) waited on the store until the host's shutdown timeout (30 s), then disposal waited
/// again for an in-flight periodic flush and for its final write (10 s each). The store must be waited on once, for
/// <see cref="PredictionLogOptions.ShutdownFlushTimeout"/>, and every record must reach the spill.
/// </summary>
public sealed class ShutdownFlushTests
{
    [Fact]
    public async Task AFrozenStoreIsWaitedOnOnceForTheConfiguredTimeoutAndEveryRecordReachesTheSpill()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-shutdown-");
        try
        {
            var store = new FrozenStore(new FileBlobStore(Path.Combine(folder.FullName, "store")));
            var logger = new ListLogger();
            var timeout = TimeSpan.FromMilliseconds(300);
            var log = new BufferedPredictionLog(store, new PredictionLogOptions
            {
                FlushInterval = TimeSpan.FromMilliseconds(50),
                SpillDirectory = Path.Combine(folder.FullName, "spill"),
                ShutdownFlushTimeout = timeout,
                InstanceId = "sigterm",
            }, logger: logger);
            var basket = new Basket("x", [new BasketItem("COMPUTERS", 999, "APPLE", "MACBOOK", "1", 1)]);
            for (var i = 0; i < 40; i++)
            {
                Assert.True(log.TryWrite(new PredictionRecord(basket with { Id = $"s-{i}" }, 0.1, Decision.Approve, "1", DateTimeOffset.UtcNow, "http")));
            }

            // Let a periodic flush take the records and hang on the store, as during the probe's outage.
            while (store.Waiting == 0)
            {
                await Task.Delay(10);
            }

            // The host's order on SIGTERM: hosted services stop (with the host's shutdown timeout, 30 s by default;
            // never reached here), then the container disposes the log. More records arrive while Kestrel drains.
            using var hostShutdownTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var flusher = new PredictionLogFlusher(log, new LoggerFactory().CreateLogger<PredictionLogFlusher>());
            await flusher.StopAsync(hostShutdownTimeout.Token).WaitAsync(TimeSpan.FromMinutes(2));
            for (var i = 40; i < 50; i++)
            {
                Assert.True(log.TryWrite(new PredictionRecord(basket with { Id = $"s-{i}" }, 0.1, Decision.Approve, "1", DateTimeOffset.UtcNow, "http")));
            }

            await log.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(2));

            Assert.False(hostShutdownTimeout.IsCancellationRequested);
            Assert.Equal(50, log.Spilled);
            Assert.Equal(0, log.Dropped);
            Assert.Equal(0, log.Written);
            // The stopping flush gave up on the store after the configured timeout (said in the log, with the timeout)...
            Assert.Contains(logger.Entries, e => e.Contains("shutdown timeout", StringComparison.Ordinal) && e.Contains(timeout.ToString(), StringComparison.Ordinal));
            // ...and the store was waited on once in all: the periodic flush that hung on it. Disposal found it unresponsive
            // and abandoned that flush and made its own write without waiting (before: the stopping flush waited until the
            // host's timeout, then disposal waited for the periodic flush and once more for its final write).
            Assert.Equal(1, store.Blocked);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A store that never answers a write; counts the calls that waited on it, and those cancelled before they could wait.</summary>
    private sealed class FrozenStore(IBlobStore inner) : DelegatingBlobStore(inner)
    {
        private int _waiting;
        private int _blocked;
        private int _atOnce;

        public int Waiting => Volatile.Read(ref _waiting);

        public int Blocked => Volatile.Read(ref _blocked);

        public int CancelledAtOnce => Volatile.Read(ref _atOnce);

        public override Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default) => HangAsync(ct);

        public override async Task<string> PutAsync(string container, string name, ReadOnlyMemory<byte> content, BlobWriteCondition condition = default, string contentType = "application/octet-stream", CancellationToken ct = default)
        {
            await HangAsync(ct);
            return string.Empty;
        }

        private async Task HangAsync(CancellationToken ct)
        {
            if (ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref _atOnce);
                ct.ThrowIfCancellationRequested();
            }

            Interlocked.Increment(ref _blocked);
            Interlocked.Increment(ref _waiting);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            lock (Entries)
            {
                Entries.Add(formatter(state, exception));
            }
        }
    }
}
