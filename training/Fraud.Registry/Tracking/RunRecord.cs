namespace Fraud.Registry;

/// <summary>
/// Everything recorded about one run (<c>runs/&lt;runId&gt;/run.json</c>): parameters, final metrics, per-step
/// metric history (learning curves), timings, the data it saw, the environment and its artifacts.
/// </summary>
public sealed class RunRecord
{
    public string Id { get; set; } = string.Empty;

    /// <summary>What kind of run: <c>train</c>, <c>tune</c>, <c>tune-trial</c>, <c>monitor</c>, ...</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>One of <see cref="RunStatus"/>.</summary>
    public string Status { get; set; } = RunStatus.Running;

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public double? DurationSeconds { get; set; }

    /// <summary>Run that started this one (a tuning run for its trials).</summary>
    public string? ParentRunId { get; set; }

    public SortedDictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Last value of every metric.</summary>
    public SortedDictionary<string, double> Metrics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Metrics logged with a step (boosting round, trial), in logging order.</summary>
    public SortedDictionary<string, List<MetricPoint>> MetricHistory { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Named durations in seconds (load, featurize, train, ...).</summary>
    public SortedDictionary<string, double> Timings { get; set; } = new(StringComparer.Ordinal);

    public RunDataset? Dataset { get; set; }

    public SortedDictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Artifact names under <c>runs/&lt;runId&gt;/artifacts/</c>.</summary>
    public List<string> Artifacts { get; set; } = [];

    /// <summary>Registry version produced by this run, when it registered one.</summary>
    public string? RegisteredVersion { get; set; }

    public string? Error { get; set; }
}

/// <summary>One logged value of a metric at a step.</summary>
public sealed record MetricPoint(int Step, double Value);

/// <summary>The data a run saw.</summary>
public sealed record RunDataset(string Fingerprint, int Rows, double? FraudRate, string? Source);

/// <summary>Run states.</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
