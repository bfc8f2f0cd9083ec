using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Learning;
using Fraud.Registry.Storage;

namespace Fraud.Registry;

/// <summary>The registry's common holdout: the labelled baskets every version is compared on.</summary>
/// <param name="Description">Where the baskets came from, as given when it was stored.</param>
/// <param name="Rows">Baskets in it.</param>
/// <param name="Frauds">Baskets labelled fraud.</param>
/// <param name="Fingerprint">SHA-256 of the stored file: a score names the exact data it was measured on.</param>
/// <param name="StoredAt">When it was stored.</param>
public sealed record HoldoutInfo(string Description, int Rows, int Frauds, string Fingerprint, DateTimeOffset StoredAt)
{
    /// <summary>"holdout 3f2a9c… (5,000 baskets, 71 frauds: data/seed9)".</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"common holdout {Fingerprint[..12]} ({Rows:N0} baskets, {Frauds:N0} frauds: {Description})");
}

/// <summary>One version's figures on the common holdout identified by <see cref="Fingerprint"/>.</summary>
public sealed record HoldoutScore(string Version, string Fingerprint, int Rows, int Frauds, double PrAuc, double RocAuc, double LogLoss, DateTimeOffset ScoredAt);

/// <summary>
/// Each version's card metrics come from its own test split, so two versions' PR-AUC are measured on different
/// baskets and cannot be compared (issue 19, item 2: a worse model was promoted on such figures). The registry keeps one
/// common holdout (<c>&lt;name&gt;/holdout/baskets.csv</c>, labelled, with its manifest) and scores every version on it
/// on demand, caching the result per version and holdout fingerprint, so figures from different holdouts never mix.
/// The holdout must be baskets no compared version trained on (a later seed, or the newest labelled traffic).
/// </summary>
public sealed partial class ModelRegistry
{
    private string HoldoutBlob => $"{_prefix}holdout/baskets.csv";

    private string HoldoutManifestBlob => $"{_prefix}holdout/holdout.json";

    /// <summary>Stores (or replaces) the common holdout; scores on an earlier holdout stay but are never mixed with new ones.</summary>
    public async Task<HoldoutInfo> SetHoldoutAsync(LabelledDataset data, string description, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        var frauds = data.Labels.Count(l => l);
        if (data.Baskets.Count == 0 || frauds == 0 || frauds == data.Baskets.Count)
        {
            throw new RegistryException($"A common holdout needs frauds and genuine baskets; this one has {data.Baskets.Count} baskets, {frauds} frauds.");
        }

        await Store.CreateContainerIfNotExistsAsync(Containers.Models, ct);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        BasketCsv.WriteLabelledBaskets(text, data.Baskets.Select((b, i) => new LabelledBasket(b, data.Labels[i])));
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var info = new HoldoutInfo(description.Trim(), data.Baskets.Count, frauds, Convert.ToHexStringLower(SHA256.HashData(bytes)), DateTimeOffset.UtcNow);
        await Store.PutAsync(Containers.Models, HoldoutBlob, bytes, BlobWriteCondition.None, "text/csv", ct);
        await Store.PutAsync(Containers.Models, HoldoutManifestBlob, JsonSerializer.SerializeToUtf8Bytes(info, RegistryJsonContext.Default.HoldoutInfo), BlobWriteCondition.None, "application/json", ct);
        return info;
    }

    /// <summary>The common holdout's manifest, or null when none is stored.</summary>
    public async Task<HoldoutInfo?> GetHoldoutAsync(CancellationToken ct = default)
    {
        var manifest = await Store.GetAsync(Containers.Models, HoldoutManifestBlob, ct);
        return manifest is null ? null : JsonSerializer.Deserialize(manifest.Content.Span, RegistryJsonContext.Default.HoldoutInfo);
    }

    /// <summary>A version's figures on the common holdout (scored once, then cached), or null when no holdout is stored.</summary>
    public async Task<HoldoutScore?> ScoreOnHoldoutAsync(string version, CancellationToken ct = default)
    {
        var holdout = await GetHoldoutAsync(ct);
        if (holdout is null)
        {
            return null;
        }

        var cacheName = VersionBlobName(version, $"holdout-{holdout.Fingerprint[..16]}.json");
        var cached = await Store.GetAsync(Containers.Models, cacheName, ct);
        if (cached is not null)
        {
            return JsonSerializer.Deserialize(cached.Content.Span, RegistryJsonContext.Default.HoldoutScore);
        }

        var data = await ReadHoldoutAsync(holdout, ct);
        var (model, _) = await LoadAsync(version, ct);
        var probabilities = new double[data.Baskets.Count];
        model.ScoreMany(data.Baskets, probabilities);
        var score = new HoldoutScore(
            version,
            holdout.Fingerprint,
            holdout.Rows,
            holdout.Frauds,
            Metrics.AveragePrecision(probabilities, data.Labels),
            Metrics.RocAuc(probabilities, data.Labels),
            Metrics.LogLoss(probabilities, data.Labels),
            DateTimeOffset.UtcNow);
        try
        {
            await Store.PutAsync(Containers.Models, cacheName, JsonSerializer.SerializeToUtf8Bytes(score, RegistryJsonContext.Default.HoldoutScore), BlobWriteCondition.IfNotExists, "application/json", ct);
        }
        catch (BlobPreconditionFailedException)
        {
            // Another process scored it at the same moment: same model, same data, same figures.
        }

        return score;
    }

    private async Task<LabelledDataset> ReadHoldoutAsync(HoldoutInfo holdout, CancellationToken ct)
    {
        var blob = await Store.GetAsync(Containers.Models, HoldoutBlob, ct)
            ?? throw new RegistryException($"The common holdout of {ModelName} has a manifest but no baskets; store it again with `fraud registry holdout`.");
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(blob.Content.Span)), holdout.Fingerprint, StringComparison.Ordinal))
        {
            throw new RegistryException($"The common holdout of {ModelName} changed while it was read; retry.");
        }

        // The CSV reader works on files; the holdout is small (thousands of rows).
        var path = Path.Combine(Path.GetTempPath(), $"fraud-holdout-{Guid.NewGuid():N}.csv");
        try
        {
            await File.WriteAllBytesAsync(path, blob.Content.ToArray(), ct);
            return BasketCsv.ReadLabelled(path, null);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
