using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Fraud.Registry.Storage;

namespace Fraud.Registry;

/// <summary>
/// Experiment tracking in the same store as the registry: each run is <c>runs/&lt;runId&gt;/run.json</c> plus
/// <c>runs/&lt;runId&gt;/artifacts/*</c>. Run ids sort by start time (<c>20261121-140512-3f9a1c</c>).
/// </summary>
public sealed class RunTracker(IBlobStore store)
{
    public IBlobStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Starts a run: captures the environment and writes the first record (status running).</summary>
    public async Task<TrackedRun> StartRunAsync(
        string kind,
        IReadOnlyDictionary<string, string>? parameters = null,
        string? parentRunId = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        await Store.CreateContainerIfNotExistsAsync(Containers.Runs, ct);
        var started = DateTimeOffset.UtcNow;
        var record = new RunRecord
        {
            Id = NewRunId(started),
            Kind = kind,
            StartedAt = started,
            ParentRunId = parentRunId,
            Environment = CaptureEnvironment(),
        };
        if (parameters is not null)
        {
            foreach (var (key, value) in parameters)
            {
                record.Parameters[key] = value;
            }
        }

        var run = new TrackedRun(Store, record);
        await Store.PutAsync(
            Containers.Runs, RecordBlobName(record.Id), JsonSerializer.SerializeToUtf8Bytes(record, RunJsonContext.Default.RunRecord), BlobWriteCondition.IfNotExists, "application/json", ct);
        return run;
    }

    /// <summary>All runs, newest first.</summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(CancellationToken ct = default)
    {
        var runs = new List<RunRecord>();
        await foreach (var blob in Store.ListAsync(Containers.Runs, null, ct))
        {
            var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && blob.Name.AsSpan(slash + 1).SequenceEqual("run.json"))
            {
                if (await GetAsync(blob.Name[..slash], ct) is { } run)
                {
                    runs.Add(run);
                }
            }
        }

        runs.Sort(static (a, b) => b.StartedAt != a.StartedAt ? b.StartedAt.CompareTo(a.StartedAt) : string.CompareOrdinal(b.Id, a.Id));
        return runs;
    }

    /// <summary>One run, or null when there is none with that id.</summary>
    public async Task<RunRecord?> GetAsync(string runId, CancellationToken ct = default)
    {
        var download = await Store.GetAsync(Containers.Runs, RecordBlobName(runId), ct);
        if (download is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(download.Content.Span, RunJsonContext.Default.RunRecord);
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"Run {runId} has an unreadable run.json: {ex.Message}", ex);
        }
    }

    /// <summary>An artifact's bytes, or null.</summary>
    public async Task<ReadOnlyMemory<byte>?> GetArtifactAsync(string runId, string name, CancellationToken ct = default)
    {
        var download = await Store.GetAsync(Containers.Runs, ArtifactBlobName(runId, name), ct);
        return download?.Content;
    }

    internal static string RecordBlobName(string runId) => $"{CheckRunId(runId)}/run.json";

    internal static string ArtifactBlobName(string runId, string name) => $"{CheckRunId(runId)}/artifacts/{name}";

    private static string CheckRunId(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (runId.Length is 0 or > 64 || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Invalid run id '{runId}': run ids are letters, digits and '-'.", nameof(runId));
        }

        return runId;
    }

    private static string NewRunId(DateTimeOffset started) =>
        started.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    private static SortedDictionary<string, string> CaptureEnvironment() => new(StringComparer.Ordinal)
    {
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString(),
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["processors"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        ["machine"] = Environment.MachineName,
        ["code_version"] = CodeVersion.Current,
    };
}
