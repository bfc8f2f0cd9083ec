namespace Fraud.Monitoring;

/// <summary>Sizing of <see cref="BufferedPredictionLog"/>.</summary>
public sealed record PredictionLogOptions
{
    /// <summary>
    /// Estimated bytes of records held in memory (queued or waiting for a retry) before new ones are dropped. The
    /// bound is in bytes because a basket's size varies 100-fold (a one-line basket is about 600 bytes, 24 lines of
    /// 256-character strings about 57 KB): a count bound of 100,000 allowed 5.6 GB. 64 MiB holds about 5 s of
    /// 200 req/s of the largest baskets; a slower store makes the loop spill to disk before the bound is reached.
    /// </summary>
    public long MaxBufferBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Records held in memory at most, whatever their size (a second guard; the byte bound is the one that matters).</summary>
    public int Capacity { get; init; } = int.MaxValue;

    /// <summary>How often buffered records are written out (sooner when the buffer is half full).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Records per blob at most; a busier interval writes several blobs.</summary>
    public int MaxRecordsPerBlob { get; init; } = 20_000;

    /// <summary>Names this process in blob names so that instances never write the same blob; defaults to a random id.</summary>
    public string? InstanceId { get; init; }

    /// <summary>
    /// Local folder where records go when the store refuses them (outage, shutdown during an outage); each file is
    /// a finished Parquet part uploaded under its own name when the store answers again. Null: no spill, and what the
    /// store refuses at shutdown is lost (and counted).
    /// </summary>
    public string? SpillDirectory { get; init; }

    /// <summary>
    /// How long the final write at disposal may wait for the store before what it holds goes to the spill. A frozen
    /// store (Azurite under SIGSTOP, a hung connection) otherwise kept a SIGTERM'd handler alive for minutes and the
    /// host then killed it with the records still in memory (fraud-chaos, issue 14).
    /// </summary>
    public TimeSpan ShutdownFlushTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of spill files on disk at most; records beyond are dropped and counted.</summary>
    public long MaxSpillBytes { get; init; } = 1024L * 1024 * 1024;
}
