using System.Buffers;
using System.Threading.Channels;
using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Fraud.Registry.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fraud.Monitoring;

/// <summary>
/// The prediction log the handler writes to. <see cref="TryWrite"/> only puts the record in a bounded in-memory
/// channel; a background loop writes what has gathered every <see cref="PredictionLogOptions.FlushInterval"/> (and on
/// <see cref="FlushAsync"/> and dispose) as JSON-lines blobs partitioned by hour. A full buffer drops and counts rather
/// than slowing scoring; a failed write is retried at the next flush.
/// </summary>
public sealed class BufferedPredictionLog : IPredictionLog, IAsyncDisposable
{
    private readonly IBlobStore _store;
    private readonly FraudMetrics? _metrics;
    private readonly PredictionLogOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Channel<PredictionRecord> _channel;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<PredictionRecord> _pending = [];
    private readonly string _instance;
    private readonly Task _loop;
    private readonly Lazy<Task> _disposal;
    private long _sequence;
    private long _dropped;
    private long _written;
    private bool _containerReady;

    public BufferedPredictionLog(IBlobStore store, PredictionLogOptions? options = null, FraudMetrics? metrics = null, TimeProvider? clock = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new PredictionLogOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRecordsPerBlob, 1);
        _metrics = metrics;
        _clock = clock ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _instance = SafeInstance(_options.InstanceId ?? Guid.NewGuid().ToString("N")[..12]);
        // Wait mode makes TryWrite return false when full, which is how a drop is noticed and counted.
        _channel = Channel.CreateBounded<PredictionRecord>(new BoundedChannelOptions(_options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _disposal = new Lazy<Task>(DisposeCoreAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Records dropped because the buffer was full (since start).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records written to the store (since start).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <inheritdoc />
    public bool TryWrite(PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_channel.Writer.TryWrite(record))
        {
            return true;
        }

        CountDropped(1);
        return false;
    }

    /// <summary>Writes everything buffered so far; throws when the store fails (the records stay pending for a retry).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        await _flushGate.WaitAsync(ct);
        try
        {
            await FlushHeldAsync(ct);
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>
    /// Stops the background loop and writes every record accepted before the call. Every caller, concurrent or later,
    /// waits for that same final write; what the store refuses at this point is logged and counted as dropped.
    /// </summary>
    // Every caller awaits the one disposal: this used to return at once to any caller but the first, so a second
    // owner disposing at the same time carried on while the records were still being written. (The handler test's
    // missing blob was this same pattern one level up, outside this class: WebApplicationFactory and the app's own
    // RunAsync both dispose the service provider, and the second ServiceProvider.DisposeAsync returns at once without
    // reaching this log, dotnet/aspnetcore#40271; the handler's PredictionLogFlusher is what covers that.)
    public ValueTask DisposeAsync() => new(_disposal.Value);

    private async Task DisposeCoreAsync()
    {
        _channel.Writer.TryComplete();

        // Only the wait between flushes is cancelled: a flush already under way runs to its end (see RunAsync), so a
        // batch whose write landed is never written a second time by the final flush below.
        await _stopping.CancelAsync();
        await _loop;

        await _flushGate.WaitAsync();
        try
        {
            await FlushHeldAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Nothing retries after this: what is left is lost, so it is counted as dropped and logged, never thrown
            // past the container's disposal (which would skip every service disposed after this one).
            var lost = _pending.Count;
            _pending.Clear();
            CountDropped(lost);
            if (ex is BlobStoreException or IOException or HttpRequestException)
            {
                _logger.LogError(ex, "Prediction log: {Count} records could not be written at shutdown.", lost);
            }
            else
            {
                // Counts and types only: a record's basket must never reach the logs.
                _logger.LogError("Prediction log: {Count} records could not be written at shutdown ({Error}).", lost, ex.GetType().Name);
            }
        }
        finally
        {
            // The gate and the token source are left undisposed on purpose: neither holds an OS handle here, and a
            // FlushAsync that races disposal (a host stopping twice) must find them usable; it then has nothing to write.
            _flushGate.Release();
        }
    }

    // Callers hold _flushGate.
    private async Task FlushHeldAsync(CancellationToken ct)
    {
        while (_channel.Reader.TryRead(out var record))
        {
            _pending.Add(record);
        }

        if (_pending.Count == 0)
        {
            return;
        }

        if (!_containerReady)
        {
            await _store.CreateContainerIfNotExistsAsync(Containers.Predictions, ct);
            _containerReady = true;
        }

        await WritePendingAsync(ct);
    }

    private void CountDropped(int records)
    {
        Interlocked.Add(ref _dropped, records);
        _metrics?.PredictionLogDroppedCounter.Add(records);
    }

    private async Task RunAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.FlushInterval, _clock, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                // Not cancelled by disposal: abandoning a write mid-way can leave it stored yet still pending (a
                // remote store may commit before the caller stops waiting), and the final flush would store it twice.
                await FlushAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                // Counts and types only: a record's basket must never reach the logs.
                _logger.LogWarning("Prediction log flush failed ({Error}); {Count} records kept for the next attempt.", ex.GetType().Name, _pending.Count);
            }
        }
    }

    private async Task WritePendingAsync(CancellationToken ct)
    {
        // Group by hour so each blob lands in the partition its records belong to; order is kept within an hour.
        _pending.Sort(static (a, b) => a.ScoredAt.CompareTo(b.ScoredAt));
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            await WriteGroupsAsync(buffer, ct);
        }
        finally
        {
            TrimPending();
        }
    }

    private async Task WriteGroupsAsync(ArrayBufferWriter<byte> buffer, CancellationToken ct)
    {
        while (_pending.Count > 0)
        {
            var hour = PredictionLogFormat.HourPrefix(_pending[0].ScoredAt);
            var end = 0;
            buffer.Clear();
            while (end < _pending.Count && end < _options.MaxRecordsPerBlob && PredictionLogFormat.HourPrefix(_pending[end].ScoredAt) == hour)
            {
                PredictionLogFormat.WriteLine(buffer, _pending[end]);
                end++;
            }

            var name = PredictionLogFormat.BlobName(_pending[0].ScoredAt, _clock.GetUtcNow(), _instance, Interlocked.Increment(ref _sequence));
            await _store.PutAsync(Containers.Predictions, name, buffer.WrittenMemory, BlobWriteCondition.IfNotExists, "application/x-ndjson", ct);
            Interlocked.Add(ref _written, end);
            _pending.RemoveRange(0, end);
        }
    }

    // Records left after a failed write stay pending; never let them outgrow the buffer's own bound.
    private void TrimPending()
    {
        var excess = _pending.Count - _options.Capacity;
        if (excess > 0)
        {
            _pending.RemoveRange(0, excess);
            CountDropped(excess);
        }
    }

    private static string SafeInstance(string instance)
    {
        var chars = instance.Where(char.IsAsciiLetterOrDigit).Take(32).ToArray();
        return chars.Length == 0 ? "instance" : new string(chars).ToLowerInvariant();
    }
}
