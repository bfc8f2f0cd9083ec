namespace Fraud.Monitoring;

/// <summary>Sizing of <see cref="BufferedPredictionLog"/>.</summary>
public sealed record PredictionLogOptions
{
    /// <summary>Records held in memory before new ones are dropped.</summary>
    public int Capacity { get; init; } = 100_000;

    /// <summary>How often buffered records are written out.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Records per blob at most; a busier interval writes several blobs.</summary>
    public int MaxRecordsPerBlob { get; init; } = 20_000;

    /// <summary>Names this process in blob names so that instances never write the same blob; defaults to a random id.</summary>
    public string? InstanceId { get; init; }
}
