using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Fraud.Registry.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fraud.Monitoring;

/// <summary>
/// The prediction log the handler writes to. <see cref="TryWrite"/> copies the fields a Parquet part holds (basket id,
/// time, probability, decision, model version, source and the basket's lines) into pooled column buffers
/// (<see cref="PredictionColumns"/>: numbers and one character arena, no object references) bounded in bytes, and keeps
/// no reference to the basket, so nothing the request allocated outlives it; a background loop takes the filled chunks
/// (swapping in empty ones under a lock held only for the swap) and writes them every <see cref="PredictionLogOptions.FlushInterval"/>
/// (sooner when the buffer is half full, and on <see cref="FlushAsync"/> and dispose) as Parquet part files
/// partitioned by hour. When the store refuses a write, the records go to local spill files
/// (<see cref="PredictionLogOptions.SpillDirectory"/>) that are uploaded when the store answers again, so neither an
/// outage nor a shutdown during one loses what was accepted. A full buffer or full spill drops and counts.
/// </summary>
public sealed class BufferedPredictionLog : IPredictionLog, IAsyncDisposable
{
    private readonly IBlobStore _store;
    private readonly FraudMetrics? _metrics;
    private readonly PredictionLogOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _writeLock = new();
    private readonly List<PredictionColumns> _sealed = []; // under _writeLock: full chunks waiting for the flush
    private readonly Stack<PredictionColumns> _spare = new(); // under _writeLock: emptied chunks kept for reuse
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly List<PredictionColumns> _pending = []; // under _flushGate: taken from the writers, not yet written
    private readonly PredictionParquet.LineColumns _part = new(); // under _flushGate: one part's rows, reused
    private long[] _order = new long[256]; // under _flushGate: pending records by time, (chunk << 32) | record
    private readonly string _instance;
    private readonly Task _loop;
    private readonly Lazy<Task> _disposal;
    // Spare chunks kept for reuse: the one filling while another is written, plus room for a busier interval.
    private const int MaxSpareChunks = 4;
    private PredictionColumns? _active; // under _writeLock
    private int _pendingChunks;
    private long _chunksCreated;
    private bool _closed; // under _writeLock
    private int _wakeRequested;
    private long _sequence;
    private long _dropped;
    private long _written;
    private long _spilled;
    private long _recovered;
    private long _bufferedBytes;
    private int _bufferedCount;
    private bool _containerReady;
    private volatile bool _storeUnresponsiveAtShutdown;

    public BufferedPredictionLog(IBlobStore store, PredictionLogOptions? options = null, FraudMetrics? metrics = null, TimeProvider? clock = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new PredictionLogOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBufferBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRecordsPerBlob, 1);
        _metrics = metrics;
        _clock = clock ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _instance = SafeInstance(_options.InstanceId ?? Guid.NewGuid().ToString("N")[..12]);
        if (_options.SpillDirectory is not null)
        {
            Directory.CreateDirectory(_options.SpillDirectory);
        }

        _disposal = new Lazy<Task>(DisposeCoreAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Records dropped because the buffer (or the spill) was full, or lost at shutdown without a spill (since start).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records written to the store directly (since start).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records written to local spill files because the store refused them (since start).</summary>
    public long Spilled => Interlocked.Read(ref _spilled);

    /// <summary>Records uploaded from spill files, this process's or an earlier one's (since start).</summary>
    public long Recovered => Interlocked.Read(ref _recovered);

    /// <summary>Estimated bytes held in memory now (queued plus waiting for a retry).</summary>
    public long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    /// <summary>Column chunks held now (filling, full, or waiting for a retry) and kept for reuse: what the buffer costs in memory.</summary>
    public int Chunks
    {
        get
        {
            lock (_writeLock)
            {
                return (_active is null ? 0 : 1) + _sealed.Count + _spare.Count + Volatile.Read(ref _pendingChunks);
            }
        }
    }

    /// <summary>Chunks created since start: flat while a steady load reuses them.</summary>
    public long ChunksCreated => Interlocked.Read(ref _chunksCreated);

    /// <inheritdoc />
    /// <remarks>
    /// Copies the record's fields into the current column chunk under <c>_writeLock</c>, which only writers and the
    /// flush's swap take (never held while anything is written to the store or disk); the record and its basket can be
    /// collected as soon as the caller lets go of them.
    /// </remarks>
    public bool TryWrite(PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var size = EstimateBytes(record);
        var total = Interlocked.Add(ref _bufferedBytes, size);
        var count = Interlocked.Increment(ref _bufferedCount);
        var accepted = false;
        if (total <= _options.MaxBufferBytes && count <= _options.Capacity)
        {
            var lines = record.Basket.Items.Count;
            var chars = (size - PredictionColumns.RecordBytes - ((long)PredictionColumns.LineBytes * lines)) / 2;
            lock (_writeLock)
            {
                if (!_closed)
                {
                    var chunk = _active ??= TakeSpareLocked();
                    if (!chunk.HasRoomFor(lines, chars))
                    {
                        _sealed.Add(chunk);
                        chunk = _active = TakeSpareLocked();
                    }

                    chunk.Append(record);
                    accepted = true;
                }
            }
        }

        if (!accepted)
        {
            Interlocked.Add(ref _bufferedBytes, -size);
            Interlocked.Decrement(ref _bufferedCount);
            CountDropped(1);
            return false;
        }

        if (total > _options.MaxBufferBytes / 2 && Interlocked.CompareExchange(ref _wakeRequested, 1, 0) == 0)
        {
            // Half full: flush (or spill) now rather than at the next tick. One writer wins the flag, so the semaphore
            // (at most 1) is released once per wake and never throws SemaphoreFullException on the request path
            // (it did, thousands of times a second under load, before this flag).
            _wake.Release();
        }

        return true;
    }

    /// <summary>
    /// Bytes a record takes in the log's column buffers, which is what <see cref="PredictionLogOptions.MaxBufferBytes"/>
    /// bounds: a fixed part per record and per line plus two bytes per character of its strings (a 24-line basket of
    /// 256-character strings is about 50 KB). O(lines), no allocation.
    /// </summary>
    public static long EstimateBytes(PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return PredictionColumns.BytesOf(record);
    }

    // Callers hold _writeLock.
    private PredictionColumns TakeSpareLocked()
    {
        if (_spare.TryPop(out var chunk))
        {
            return chunk;
        }

        Interlocked.Increment(ref _chunksCreated);
        return new PredictionColumns();
    }

    // Takes every chunk the writers filled (and the one they are filling) into _pending. Callers hold _flushGate.
    private void TakeHeld()
    {
        lock (_writeLock)
        {
            if (_active is { Records: > 0 })
            {
                _sealed.Add(_active);
                _active = null;
            }

            _pending.AddRange(_sealed);
            _sealed.Clear();
        }

        Volatile.Write(ref _pendingChunks, _pending.Count);
    }

    // Emptied chunks go back to the writers; a few are kept (the one filling while another is written, and spares
    // for a busy interval), the rest left to the collector so a burst does not pin its peak for ever.
    private void Recycle(PredictionColumns chunk)
    {
        chunk.Reset();
        lock (_writeLock)
        {
            if (_spare.Count < MaxSpareChunks)
            {
                _spare.Push(chunk);
            }
        }
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
    /// The host's stopping flush (before Kestrel has drained and the container disposes this log): writes what is held,
    /// waiting at most <see cref="PredictionLogOptions.ShutdownFlushTimeout"/> (or until <paramref name="hostStopping"/>)
    /// for the store. When the store does not answer in time, the records go to the spill at once and the store is
    /// taken as unresponsive for the rest of the shutdown: disposal then spills without waiting on it again. Before,
    /// this flush waited on a frozen store until the host's own shutdown timeout (30 s), then disposal waited once more
    /// for an in-flight periodic flush and once more for its final write (10 s each): 50.4 s to exit (fraud-chaos run 3).
    /// Returns true when the store took the records.
    /// </summary>
    public async Task<bool> FlushAtShutdownAsync(CancellationToken hostStopping = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(hostStopping);
        deadline.CancelAfter(_options.ShutdownFlushTimeout);
        try
        {
            await _flushGate.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // A periodic flush holds the gate and is stuck on the store: disposal abandons it at once and spills.
            _storeUnresponsiveAtShutdown = true;
            _logger.LogWarning("Prediction log: a flush in progress did not finish within the shutdown timeout ({Timeout}); its records go to the local spill at disposal.", _options.ShutdownFlushTimeout);
            return false;
        }

        try
        {
            await FlushHeldAsync(deadline.Token);
            return true;
        }
        catch (Exception ex)
        {
            _storeUnresponsiveAtShutdown = ex is OperationCanceledException;
            var spilled = await SpillHeldAsync();
            _logger.LogWarning(
                "Prediction log: the store did not take the shutdown flush ({Error}; shutdown timeout {Timeout}); {Count} records kept in the local spill for the next start.",
                ex.GetType().Name,
                _options.ShutdownFlushTimeout,
                spilled);
            return false;
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>
    /// Uploads the spill files (this process's and any an earlier process left) and deletes each once stored.
    /// Stops at the first refusal: the store is still down. Returns the records recovered.
    /// </summary>
    public async Task<long> DrainSpillAsync(CancellationToken ct = default)
    {
        if (_options.SpillDirectory is null || !Directory.Exists(_options.SpillDirectory))
        {
            return 0;
        }

        long recovered = 0;
        foreach (var path in Directory.EnumerateFiles(_options.SpillDirectory, "*" + PredictionLogFormat.ParquetExtension).Order(StringComparer.Ordinal).ToList())
        {
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(path, ct);
            }
            catch (FileNotFoundException)
            {
                continue; // another process sharing the folder took it
            }

            int records;
            try
            {
                using var stream = new MemoryStream(content, writable: false);
                records = (await PredictionParquet.ReadMetadataAsync(stream, ct)).Records;
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
            {
                // A torn file (a crash mid-write cannot leave one: spill files are renamed into place; this is another
                // writer's junk): set aside, never uploaded, never deleted.
                File.Move(path, path + ".bad", overwrite: true);
                _logger.LogError("Prediction log: spill file {File} is unreadable and was set aside.", Path.GetFileName(path));
                continue;
            }

            await EnsureContainerAsync(ct);
            try
            {
                await _store.PutAsync(Containers.Predictions, SpillFileToBlobName(Path.GetFileName(path)), content, BlobWriteCondition.IfNotExists, PredictionLogFormat.ParquetContentType, ct);
            }
            catch (BlobPreconditionFailedException)
            {
                // Already stored (an earlier upload landed and the delete did not): the names are unique, so it is this file.
            }

            File.Delete(path);
            recovered += records;
            Interlocked.Add(ref _recovered, records);
        }

        return recovered;
    }

    /// <summary>
    /// Stops the background loop and writes every record accepted before the call: to the store, or to the spill when
    /// the store refuses. Every caller, concurrent or later, waits for that same final write; only without a spill
    /// folder (or with a full one) is what the store refuses logged and counted as dropped.
    /// </summary>
    // Every caller awaits the one disposal: this used to return at once to any caller but the first, so a second
    // owner disposing at the same time carried on while the records were still being written. (The handler test's
    // missing blob was this same pattern one level up, outside this class: WebApplicationFactory and the app's own
    // RunAsync both dispose the service provider, and the second ServiceProvider.DisposeAsync returns at once without
    // reaching this log, dotnet/aspnetcore#40271; the handler's PredictionLogFlusher is what covers that.)
    public ValueTask DisposeAsync() => new(_disposal.Value);

    private async Task DisposeCoreAsync()
    {
        lock (_writeLock)
        {
            _closed = true; // later writes are refused and counted as dropped
        }

        // Only the wait between flushes is cancelled: a flush already under way runs to its end (see RunAsync), so a
        // batch whose write landed is never written a second time by the final flush below.
        await _stopping.CancelAsync();
        // ...unless the store does not answer: a flush stuck on a frozen store would hold shutdown (and the records) for
        // as long as the SDK's retries last. After ShutdownFlushTimeout it is abandoned, and its catch spills what it
        // held; the same trade-off as the bounded final write below (a write that landed unseen may be uploaded twice).
        // A store already found unresponsive by the stopping flush (FlushAtShutdownAsync) gets no second wait.
        var timeout = _storeUnresponsiveAtShutdown ? TimeSpan.Zero : _options.ShutdownFlushTimeout;
        _abandon.CancelAfter(timeout);
        await _loop;

        await _flushGate.WaitAsync();
        // Bounded: when the store does not answer within ShutdownFlushTimeout the write is cancelled and the catch
        // below puts the held records in the spill (a write that landed unseen may then be uploaded again at the next start).
        using var deadline = new CancellationTokenSource(_storeUnresponsiveAtShutdown ? TimeSpan.Zero : _options.ShutdownFlushTimeout);
        try
        {
            await FlushHeldAsync(deadline.Token);
            await DrainSpillAtShutdownAsync(deadline.Token);
        }
        catch (Exception ex)
        {
            var spilled = await SpillHeldAsync();
            var lost = PendingRecords();
            ClearPending();
            CountDropped(lost);
            if (lost > 0)
            {
                // Nothing retries after this: what is left is lost, so it is counted as dropped and logged, never
                // thrown past the container's disposal (which would skip every service disposed after this one).
                // Counts and types only: a record's basket must never reach the logs.
                _logger.LogError("Prediction log: {Count} records could not be written at shutdown ({Error}).", lost, ex.GetType().Name);
            }
            else
            {
                _logger.LogWarning("Prediction log: the store refused the final write ({Error}); {Count} records kept in the local spill for the next start.", ex.GetType().Name, spilled);
            }
        }
        finally
        {
            // The gate and the token source are left undisposed on purpose: neither holds an OS handle here, and a
            // FlushAsync that races disposal (a host stopping twice) must find them usable; it then has nothing to write.
            _flushGate.Release();
        }
    }

    // The store took the final write: upload what an outage left on disk too, so it does not wait for the next start.
    private async Task DrainSpillAtShutdownAsync(CancellationToken ct)
    {
        try
        {
            await DrainSpillAsync(ct);
        }
        catch (Exception ex) when (ex is BlobStoreException or IOException or HttpRequestException or OperationCanceledException)
        {
            _logger.LogWarning("Prediction log: spill files stay on disk for the next start ({Error}).", ex.GetType().Name);
        }
    }

    // Callers hold _flushGate.
    private async Task FlushHeldAsync(CancellationToken ct)
    {
        TakeHeld();
        if (_pending.Count == 0)
        {
            // An idle interval: give the spare chunks back to the collector, so memory returns after a burst.
            lock (_writeLock)
            {
                _spare.Clear();
            }

            return;
        }

        await EnsureContainerAsync(ct);
        await WriteGroupsAsync(ct);
    }

    private async Task EnsureContainerAsync(CancellationToken ct)
    {
        if (!_containerReady)
        {
            await _store.CreateContainerIfNotExistsAsync(Containers.Predictions, ct);
            _containerReady = true;
        }
    }

    private void CountDropped(int records)
    {
        if (records == 0)
        {
            return;
        }

        Interlocked.Add(ref _dropped, records);
        _metrics?.PredictionLogDroppedCounter.Add(records);
    }

    private async Task RunAsync()
    {
        Task? wake = null;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                // Woken early when the buffer is half full. One wake wait stays outstanding across ticks, so a release
                // is never taken by an abandoned waiter.
                wake ??= _wake.WaitAsync(_stopping.Token);
                var tick = Task.Delay(_options.FlushInterval, _clock, _stopping.Token);
                if (await Task.WhenAny(wake, tick) == wake)
                {
                    // The waiter took the one release; writers may ask again (see TryWrite).
                    wake = null;
                    Volatile.Write(ref _wakeRequested, 0);
                }

                _stopping.Token.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Not cancelled by disposal: abandoning a write mid-way can leave it stored yet still pending (a remote
            // store may commit before the caller stops waiting), and the final flush would store it twice.
            await _flushGate.WaitAsync(CancellationToken.None);
            try
            {
                await FlushHeldAsync(_abandon.Token);
                if (_options.SpillDirectory is not null)
                {
                    await DrainSpillAsync(_abandon.Token);
                }
            }
            catch (Exception ex)
            {
                // The store refuses: move what is held to the local spill so memory stays flat through an outage.
                // Counts and types only: a record's basket must never reach the logs.
                var held = PendingRecords();
                var spilled = await SpillHeldAsync();
                _logger.LogWarning("Prediction log flush failed ({Error}); {Spilled} of {Count} records spilled to local disk, the rest kept for the next attempt.", ex.GetType().Name, spilled, held);
            }
            finally
            {
                _flushGate.Release();
            }
        }
    }

    private async Task WriteGroupsAsync(CancellationToken ct)
    {
        // One part per hour (each blob lands in the partition its records belong to), in time order within it.
        var total = SortPending();
        var done = 0;
        try
        {
            using var buffer = new MemoryStream(64 * 1024);
            while (done < total)
            {
                var end = GroupEnd(done, total);
                buffer.SetLength(0);
                await WritePartAsync(buffer, done, end, ct);
                var name = PredictionLogFormat.PartName(HourOf(done), _clock.GetUtcNow(), _instance, Interlocked.Increment(ref _sequence));
                await _store.PutAsync(Containers.Predictions, name, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), BlobWriteCondition.IfNotExists, PredictionLogFormat.ParquetContentType, ct);
                Interlocked.Add(ref _written, end - done);
                Release(done, end);
                done = end;
            }
        }
        finally
        {
            KeepUnwritten(done, total);
        }
    }

    // Sorts the pending records by time into _order (ties by position, so the order is total) and returns how many.
    private int SortPending()
    {
        var total = PendingRecords();
        if (_order.Length < total)
        {
            _order = new long[Math.Max(total, _order.Length * 2)];
        }

        var n = 0;
        for (var c = 0; c < _pending.Count; c++)
        {
            for (var r = 0; r < _pending[c].Records; r++)
            {
                _order[n++] = ((long)c << 32) | (uint)r;
            }
        }

        _order.AsSpan(0, n).Sort(new ByTime(_pending));
        return n;
    }

    private int PendingRecords()
    {
        var total = 0;
        foreach (var chunk in _pending)
        {
            total += chunk.Records;
        }

        return total;
    }

    private PredictionColumns ChunkOf(long entry, out int record)
    {
        record = (int)(entry & 0xFFFF_FFFF);
        return _pending[(int)(entry >> 32)];
    }

    private long TicksOf(int position) => ChunkOf(_order[position], out var r).Ticks(r);

    private DateTimeOffset HourOf(int position) => new(TicksOf(position), TimeSpan.Zero);

    // The end of the group of sorted records starting at `start`: one hour, at most MaxRecordsPerBlob records.
    private int GroupEnd(int start, int total)
    {
        var hour = TicksOf(start) / TimeSpan.TicksPerHour;
        var end = start + 1;
        while (end < total && end - start < _options.MaxRecordsPerBlob && TicksOf(end) / TimeSpan.TicksPerHour == hour)
        {
            end++;
        }

        return end;
    }

    // Writes the sorted records [start, end) as one Parquet part: one row per line as PredictionParquet lays it out.
    // Texts go to the writer as slices of the chunks' character arenas: no string is made per value (before, each
    // distinct text of a part was looked up in a hash set and materialised, and each basket id copied into a string:
    // one more hash per value than the writer's own dictionary encoding does anyway).
    private async Task WritePartAsync(MemoryStream buffer, int start, int end, CancellationToken ct)
    {
        var lines = 0;
        for (var p = start; p < end; p++)
        {
            lines += Math.Max(ChunkOf(_order[p], out var r).LineCount(r), 1);
        }

        var part = _part;
        part.EnsureCapacity(lines);
        var row = 0;
        for (var p = start; p < end; p++)
        {
            var chunk = ChunkOf(_order[p], out var r);
            var id = chunk.Memory(chunk.Id(r)) ?? ReadOnlyMemory<char>.Empty;
            var at = new DateTime(chunk.Ticks(r), DateTimeKind.Utc);
            var probability = chunk.Probability(r);
            var decision = PredictionLogFormat.DecisionName(chunk.Decision(r)).AsMemory();
            var version = chunk.Memory(chunk.Version(r)) ?? ReadOnlyMemory<char>.Empty;
            var source = chunk.Memory(chunk.Source(r)) ?? ReadOnlyMemory<char>.Empty;
            var first = chunk.FirstLine(r);
            var count = chunk.LineCount(r);
            var n = Math.Max(count, 1);
            for (var i = 0; i < n; i++, row++)
            {
                part.Ids[row] = id;
                part.LineNo[row] = i;
                part.At[row] = at;
                part.Probability[row] = probability;
                part.Decision[row] = decision;
                part.Version[row] = version;
                part.Source[row] = source;
                if (i < count)
                {
                    var l = first + i;
                    part.Item[row] = chunk.Memory(chunk.Item(l));
                    part.Price[row] = chunk.Price(l);
                    part.Make[row] = chunk.Memory(chunk.Make(l));
                    part.Model[row] = chunk.Memory(chunk.ModelName(l));
                    part.Code[row] = chunk.Memory(chunk.GoodsCode(l));
                    part.Quantity[row] = chunk.Quantity(l);
                }
                else
                {
                    part.Item[row] = null;
                    part.Price[row] = 0;
                    part.Make[row] = null;
                    part.Model[row] = null;
                    part.Code[row] = null;
                    part.Quantity[row] = 0;
                }
            }
        }

        try
        {
            await PredictionParquet.WriteAsync(buffer, part, lines, end - start, null, ct);
        }
        finally
        {
            part.ClearStrings(lines);
        }
    }

    // The sorted records [start, end) are stored: their bytes leave the buffer's bound.
    private void Release(int start, int end)
    {
        long bytes = 0;
        for (var p = start; p < end; p++)
        {
            bytes += ChunkOf(_order[p], out var r).BytesOf(r);
        }

        Interlocked.Add(ref _bufferedBytes, -bytes);
        Interlocked.Add(ref _bufferedCount, -(end - start));
    }

    // After a write (complete or not): the sorted records [done, total) stay pending, copied into fresh chunks when some
    // were written (so what is kept is exactly what was not stored), and the emptied chunks are reused.
    private void KeepUnwritten(int done, int total)
    {
        if (done == 0 && total > 0)
        {
            return; // nothing stored: pending stays as it is
        }

        var kept = new List<PredictionColumns>();
        PredictionColumns? into = null;
        for (var p = done; p < total; p++)
        {
            var chunk = ChunkOf(_order[p], out var r);
            if (into is null || !into.HasRoomFor(chunk.LineCount(r), 0))
            {
                into = new PredictionColumns();
                kept.Add(into);
            }

            into.AppendFrom(chunk, r);
        }

        foreach (var chunk in _pending)
        {
            Recycle(chunk);
        }

        _pending.Clear();
        _pending.AddRange(kept);
        Volatile.Write(ref _pendingChunks, _pending.Count);
    }

    // Callers hold _flushGate. Writes the pending records to spill files (each a finished part, written to a temporary
    // name and renamed into place, so a crash never leaves half a file under a name that would be uploaded); returns
    // how many were spilled. Records that do not fit the spill budget are dropped and counted; records the disk
    // refuses stay pending (and count against the buffer).
    private async Task<int> SpillHeldAsync()
    {
        TakeHeld();
        if (_options.SpillDirectory is null || _pending.Count == 0)
        {
            return 0;
        }

        var spilled = 0;
        var total = SortPending();
        var done = 0;
        try
        {
            var used = SpillBytesOnDisk();
            using var buffer = new MemoryStream(64 * 1024);
            while (done < total)
            {
                var end = GroupEnd(done, total);
                buffer.SetLength(0);
                await WritePartAsync(buffer, done, end, CancellationToken.None);
                if (used + buffer.Length > _options.MaxSpillBytes)
                {
                    var over = total - done;
                    Release(done, total);
                    done = total;
                    CountDropped(over);
                    _logger.LogError("Prediction log: the local spill is full ({Bytes} bytes); {Count} records dropped.", used, over);
                    break;
                }

                var name = PredictionLogFormat.PartName(HourOf(done), _clock.GetUtcNow(), _instance, Interlocked.Increment(ref _sequence));
                var path = Path.Combine(_options.SpillDirectory, BlobNameToSpillFile(name));
                var temporary = path + ".tmp";
                await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
                {
                    await file.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
                    await file.FlushAsync();
                    file.Flush(flushToDisk: true);
                }

                File.Move(temporary, path);
                used += buffer.Length;
                spilled += end - done;
                Interlocked.Add(ref _spilled, end - done);
                Release(done, end);
                done = end;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The disk refuses too: the records stay pending for the next attempt (and the byte bound still holds).
            _logger.LogError("Prediction log: spilling to local disk failed ({Error}).", ex.GetType().Name);
        }
        finally
        {
            KeepUnwritten(done, total);
        }

        return spilled;
    }

    private long SpillBytesOnDisk()
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(_options.SpillDirectory!).EnumerateFiles())
        {
            total += file.Length;
        }

        return total;
    }

    // Drops every pending record (counted by the caller). Callers hold _flushGate.
    private void ClearPending()
    {
        var total = SortPending();
        Release(0, total);
        KeepUnwritten(total, total);
    }

    /// <summary>
    /// <c>yyyy/MM/dd/HH/part-….parquet</c> to <c>yyyy_MM_dd_HH_part-….parquet</c>: the partition folders are digits and the
    /// file name has no '_' (instance ids are letters and digits), so <see cref="SpillFileToBlobName"/> reverses it.
    /// </summary>
    public static string BlobNameToSpillFile(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        return blobName.Replace('/', '_');
    }

    /// <summary>The blob name a spill file is uploaded under.</summary>
    public static string SpillFileToBlobName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var chars = fileName.ToCharArray();
        for (int i = 0, slashes = 0; i < chars.Length && slashes < 4; i++)
        {
            if (chars[i] == '_')
            {
                chars[i] = '/';
                slashes++;
            }
        }

        return new string(chars);
    }

    private static string SafeInstance(string instance)
    {
        var chars = instance.Where(char.IsAsciiLetterOrDigit).Take(32).ToArray();
        return chars.Length == 0 ? "instance" : new string(chars).ToLowerInvariant();
    }

    // Orders (chunk << 32 | record) entries by the record's time, then by the entry itself.
    private readonly struct ByTime(List<PredictionColumns> chunks) : IComparer<long>
    {
        public int Compare(long x, long y)
        {
            var a = chunks[(int)(x >> 32)].Ticks((int)(x & 0xFFFF_FFFF));
            var b = chunks[(int)(y >> 32)].Ticks((int)(y & 0xFFFF_FFFF));
            return a != b ? a.CompareTo(b) : x.CompareTo(y);
        }
    }
}
