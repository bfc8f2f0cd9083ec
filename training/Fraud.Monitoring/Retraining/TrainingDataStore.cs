using System.IO.Compression;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;
using Fraud.Registry.Storage;

namespace Fraud.Monitoring;

/// <summary>
/// Keeps the original (base) training set in the store, so that retraining can start from the champion's data
/// rather than from labelled traffic alone: gzip-compressed JSON lines at <c>runs/datasets/base.jsonl.gz</c>
/// with a small manifest (<c>runs/datasets/base.json</c>) holding its row count, fraud rate and fingerprint.
/// </summary>
public sealed class TrainingDataStore(IBlobStore store)
{
    public const string DataBlob = "datasets/base.jsonl.gz";
    public const string ManifestBlob = "datasets/base.json";

    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Stores (replaces) the base training set; returns its manifest.</summary>
    public async Task<TrainingDataManifest> SaveBaseAsync(IReadOnlyList<Basket> baskets, IReadOnlyList<bool> labels, string description, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(labels);
        if (baskets.Count != labels.Count)
        {
            throw new ArgumentException($"{baskets.Count} baskets but {labels.Count} labels.", nameof(labels));
        }

        await _store.CreateContainerIfNotExistsAsync(Containers.Runs, ct);
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var i = 0; i < baskets.Count; i++)
            {
                var line = new DatasetLine { Id = baskets[i].Id, Items = baskets[i].Items, Fraud = labels[i] };
                await JsonSerializer.SerializeAsync(gzip, line, MonitoringJsonContext.Default.DatasetLine, ct);
                gzip.WriteByte((byte)'\n');
            }
        }

        buffer.Position = 0;
        await _store.UploadAsync(Containers.Runs, DataBlob, buffer, "application/gzip", ct);
        var frauds = labels.Count(l => l);
        var manifest = new TrainingDataManifest
        {
            Rows = baskets.Count,
            Frauds = frauds,
            Fingerprint = DataFingerprint.Compute(baskets, labels),
            Description = description,
            SavedAt = DateTimeOffset.UtcNow,
        };
        await _store.PutAsync(Containers.Runs, ManifestBlob, JsonSerializer.SerializeToUtf8Bytes(manifest, MonitoringJsonContext.Default.TrainingDataManifest), default, "application/json", ct);
        return manifest;
    }

    /// <summary>The stored manifest, or null when no base set was saved.</summary>
    public async Task<TrainingDataManifest?> GetManifestAsync(CancellationToken ct = default)
    {
        var download = await _store.GetAsync(Containers.Runs, ManifestBlob, ct);
        return download is null ? null : JsonSerializer.Deserialize(download.Content.Span, MonitoringJsonContext.Default.TrainingDataManifest);
    }

    /// <summary>Loads the base training set, or null when none was saved.</summary>
    public async Task<(List<Basket> Baskets, List<bool> Labels)?> LoadBaseAsync(CancellationToken ct = default)
    {
        var download = await _store.GetAsync(Containers.Runs, DataBlob, ct);
        if (download is null)
        {
            return null;
        }

        var baskets = new List<Basket>();
        var labels = new List<bool>();
        using var gzip = new GZipStream(new MemoryStream(download.Content.ToArray(), writable: false), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            lineNumber++;
            if (text.Length == 0)
            {
                continue;
            }

            var line = JsonSerializer.Deserialize(text, MonitoringJsonContext.Default.DatasetLine);
            if (line?.Id is null || line.Items is null)
            {
                throw new InvalidDataException($"Base training set, line {lineNumber}: a basket needs an id and items.");
            }

            baskets.Add(new Basket(line.Id, line.Items));
            labels.Add(line.Fraud);
        }

        return (baskets, labels);
    }
}

/// <summary>Describes the stored base training set.</summary>
public sealed class TrainingDataManifest
{
    public int Rows { get; set; }

    public int Frauds { get; set; }

    public string Fingerprint { get; set; } = string.Empty;

    public string Description { get; set; } = string.Empty;

    public DateTimeOffset SavedAt { get; set; }
}

/// <summary>One labelled basket of the base training set.</summary>
public sealed class DatasetLine
{
    public string? Id { get; set; }

    public IReadOnlyList<BasketItem>? Items { get; set; }

    public bool Fraud { get; set; }
}
