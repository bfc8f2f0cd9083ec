using System.Globalization;
using System.Text.Json;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring;

/// <summary>
/// Labels as they arrive: each <see cref="AppendAsync"/> writes one new blob under <c>labels/&lt;yyyy&gt;/&lt;MM&gt;/&lt;dd&gt;/</c>,
/// so concurrent writers never contend and nothing is overwritten. A label whose basket has not been seen yet is
/// simply kept; the join happens when retraining reads both.
/// </summary>
public sealed class LabelStore(IBlobStore store, TimeProvider? clock = null)
{
    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Stores a batch of labels; returns the blob name, or null for an empty batch.</summary>
    public async Task<string?> AppendAsync(IReadOnlyList<FraudLabel> labels, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
        {
            return null;
        }

        var lines = new List<LabelLine>(labels.Count);
        foreach (var label in labels)
        {
            if (string.IsNullOrWhiteSpace(label.Id))
            {
                throw new ArgumentException("Every label needs a basket id.", nameof(labels));
            }

            lines.Add(new LabelLine { Id = label.Id, FraudFlag = label.FraudFlag, Source = label.Source, ObservedAt = label.ObservedAt });
        }

        var now = _clock.GetUtcNow().UtcDateTime;
        var name = string.Create(CultureInfo.InvariantCulture, $"{now:yyyy'/'MM'/'dd}/{now:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid():N}.json");
        await _store.CreateContainerIfNotExistsAsync(Containers.Labels, ct);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(lines, MonitoringJsonContext.Default.ListLabelLine);
        await _store.PutAsync(Containers.Labels, name, bytes, BlobWriteCondition.IfNotExists, "application/json", ct);
        return name;
    }

    /// <summary>Every label ever stored, in storage order (a later blob may correct an earlier label).</summary>
    public async Task<IReadOnlyList<FraudLabel>> ReadAllAsync(CancellationToken ct = default)
    {
        var labels = new List<FraudLabel>();
        await foreach (var blob in _store.ListAsync(Containers.Labels, null, ct))
        {
            var download = await _store.GetAsync(Containers.Labels, blob.Name, ct);
            if (download is null)
            {
                continue;
            }

            List<LabelLine>? lines;
            try
            {
                lines = JsonSerializer.Deserialize(download.Content.Span, MonitoringJsonContext.Default.ListLabelLine);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Label blob '{blob.Name}' is not valid JSON: {ex.Message}", ex);
            }

            foreach (var line in lines ?? [])
            {
                if (!string.IsNullOrEmpty(line.Id))
                {
                    labels.Add(new FraudLabel(line.Id, line.FraudFlag, line.Source ?? string.Empty, line.ObservedAt));
                }
            }
        }

        return labels;
    }

    /// <summary>The newest label per basket id (latest <see cref="FraudLabel.ObservedAt"/>, later storage order on a tie).</summary>
    public static Dictionary<string, FraudLabel> LatestById(IEnumerable<FraudLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var latest = new Dictionary<string, FraudLabel>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            if (!latest.TryGetValue(label.Id, out var seen) || label.ObservedAt >= seen.ObservedAt)
            {
                latest[label.Id] = label;
            }
        }

        return latest;
    }
}

/// <summary>The JSON shape of one stored label.</summary>
public sealed class LabelLine
{
    public string? Id { get; set; }

    public bool FraudFlag { get; set; }

    public string? Source { get; set; }

    public DateTimeOffset ObservedAt { get; set; }
}
