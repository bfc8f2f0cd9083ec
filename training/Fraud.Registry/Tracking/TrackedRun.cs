using System.Diagnostics;
using System.Text.Json;
using Fraud.Registry.Storage;

namespace Fraud.Registry;

/// <summary>
/// A run being recorded. Logging calls only touch memory (cheap enough to call every boosting round); the record
/// is written to the store when the run starts, on <see cref="FlushAsync"/> and when it completes or fails.
/// Thread-safe.
/// </summary>
public sealed class TrackedRun
{
    private readonly IBlobStore _store;
    private readonly RunRecord _record;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();

    internal TrackedRun(IBlobStore store, RunRecord record)
    {
        _store = store;
        _record = record;
    }

    public string RunId => _record.Id;

    public string Kind => _record.Kind;

    /// <summary>Where the run is recorded (never contains a secret).</summary>
    public string StoreDescription => _store.Description;

    public void LogParameter(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            _record.Parameters[name] = value;
        }
    }

    public void LogParameters(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, value) in parameters)
        {
            LogParameter(name, value);
        }
    }

    /// <summary>Records a metric; with a <paramref name="step"/> it is also appended to the metric's history (a curve).</summary>
    public void LogMetric(string name, double value, int? step = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            _record.Metrics[name] = value;
            if (step is { } s)
            {
                if (!_record.MetricHistory.TryGetValue(name, out var history))
                {
                    _record.MetricHistory[name] = history = [];
                }

                history.Add(new MetricPoint(s, value));
            }
        }
    }

    public void LogTiming(string name, TimeSpan elapsed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            _record.Timings[name] = elapsed.TotalSeconds;
        }
    }

    /// <summary>Times a block: <c>using (run.Time("featurize")) { ... }</c>.</summary>
    public IDisposable Time(string name) => new Timing(this, name);

    public void SetDataset(string fingerprint, int rows, double? fraudRate = null, string? source = null)
    {
        lock (_gate)
        {
            _record.Dataset = new RunDataset(fingerprint, rows, fraudRate, source);
        }
    }

    public void SetTag(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            _record.Tags[name] = value;
        }
    }

    public void SetRegisteredVersion(string version)
    {
        lock (_gate)
        {
            _record.RegisteredVersion = version;
        }
    }

    /// <summary>Stores an artifact under <c>runs/&lt;runId&gt;/artifacts/&lt;name&gt;</c>.</summary>
    public async Task SaveArtifactAsync(string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", CancellationToken ct = default)
    {
        BlobNames.ValidateBlob(name);
        await _store.PutAsync(Containers.Runs, RunTracker.ArtifactBlobName(RunId, name), content, BlobWriteCondition.None, contentType, ct);
        lock (_gate)
        {
            if (!_record.Artifacts.Contains(name))
            {
                _record.Artifacts.Add(name);
            }
        }
    }

    /// <summary>A copy of what has been recorded so far.</summary>
    public RunRecord Snapshot()
    {
        lock (_gate)
        {
            return JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(_record, RunJsonContext.Default.RunRecord), RunJsonContext.Default.RunRecord)!;
        }
    }

    /// <summary>Writes the record as it stands (status still running).</summary>
    public Task FlushAsync(CancellationToken ct = default) => WriteAsync(ct);

    public Task CompleteAsync(string status = RunStatus.Completed, CancellationToken ct = default) => FinishAsync(status, null, ct);

    /// <summary>Marks the run failed with a one-line error (never basket data).</summary>
    public Task FailAsync(string error, CancellationToken ct = default) => FinishAsync(RunStatus.Failed, error, ct);

    private Task FinishAsync(string status, string? error, CancellationToken ct)
    {
        lock (_gate)
        {
            _record.Status = status;
            _record.Error = error;
            _record.EndedAt = DateTimeOffset.UtcNow;
            _record.DurationSeconds = _clock.Elapsed.TotalSeconds;
        }

        return WriteAsync(ct);
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        byte[] json;
        lock (_gate)
        {
            json = JsonSerializer.SerializeToUtf8Bytes(_record, RunJsonContext.Default.RunRecord);
        }

        await _store.PutAsync(Containers.Runs, RunTracker.RecordBlobName(RunId), json, BlobWriteCondition.None, "application/json", ct);
    }

    private sealed class Timing(TrackedRun run, string name) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        public void Dispose() => run.LogTiming(name, Stopwatch.GetElapsedTime(_start));
    }
}
