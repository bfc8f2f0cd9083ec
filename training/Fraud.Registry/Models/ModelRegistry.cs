using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fraud.Model;
using Fraud.Registry.Storage;

namespace Fraud.Registry;

/// <summary>
/// The model registry on any <see cref="IBlobStore"/>, in the <c>models</c> container:
/// <c>&lt;name&gt;/versions/&lt;v&gt;/{model.json, card.json, report.html, version.json}</c> and
/// <c>&lt;name&gt;/aliases/&lt;alias&gt;.json</c>. Versions are written once with If-None-Match: * (immutable, numbered
/// by trying the next number); aliases are updated with If-Match on the ETag read, so of two concurrent promotions
/// exactly one wins and the other gets <see cref="RegistryConflictException"/>. Every alias change carries a reason
/// and is kept in the alias document's history.
/// </summary>
public sealed partial class ModelRegistry
{
    /// <summary>The model name used when none is configured (<c>Fraud__ModelName</c>).</summary>
    public const string DefaultModelName = "basket-fraud";

    private const string Manifest = "version.json";
    private const int MaxAllocationAttempts = 100;

    private readonly string _prefix;

    public ModelRegistry(IBlobStore store, string modelName = DefaultModelName)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!NamePattern().IsMatch(modelName))
        {
            throw new ArgumentException($"Invalid model name '{modelName}': use 1 to 64 lowercase letters, digits, '-' or '_'.", nameof(modelName));
        }

        Store = store;
        ModelName = modelName;
        _prefix = modelName + "/";
    }

    public IBlobStore Store { get; }

    public string ModelName { get; }

    /// <summary>Who is recorded as making alias changes (CLI user, "monitoring"); null leaves it out.</summary>
    public string? Actor { get; init; }

    /// <summary>Blob name of an alias document, for callers that poll it directly.</summary>
    public string AliasBlobName(string alias) => $"{_prefix}aliases/{CheckAlias(alias)}.json";

    /// <summary>Blob name of a file of a version (<c>model.json</c>, <c>card.json</c>, <c>report.html</c>).</summary>
    public string VersionBlobName(string version, string file) => $"{_prefix}versions/{CheckVersion(version)}/{file}";

    /// <summary>
    /// Stores a trained model as the next version, with lineage; the first model registered also becomes champion.
    /// With <see cref="RegistrationInfo.SkipIdentical"/> (what <c>fraud train --register</c> and <c>fraud tune --register</c>
    /// ask), a model identical to a registered version (the same <see cref="FraudModel.ModelId"/>, a hash of everything
    /// that decides its scores: retraining with the same data, seed and parameters gives it) is not stored twice: that
    /// version comes back with <see cref="ModelVersionInfo.AlreadyRegistered"/> set, and the command says so (issue 19,
    /// item 14). Without it every call is a new version (benchmarks and tests register one model many times).
    /// </summary>
    public async Task<ModelVersionInfo> RegisterAsync(TrainingResult result, RegistrationInfo lineage, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(lineage);
        await Store.CreateContainerIfNotExistsAsync(Containers.Models, ct);

        var champion = await GetAliasAsync(ModelAliases.Champion, ct);
        var parent = lineage.ParentVersion ?? champion?.Version;
        if (lineage.ParentVersion is not null && await GetVersionAsync(lineage.ParentVersion, ct) is null)
        {
            throw new ModelVersionNotFoundException($"Parent version {lineage.ParentVersion} of {ModelName} does not exist.");
        }

        foreach (var existing in lineage.SkipIdentical ? await ListAsync(ct) : [])
        {
            if (string.Equals(existing.ModelId, result.Model.ModelId, StringComparison.Ordinal))
            {
                return existing with { AlreadyRegistered = true };
            }
        }

        var modelBytes = result.Model.ToJsonBytes();
        var version = await ClaimNextVersionAsync(modelBytes, ct);

        // The card travels with lineage filled in; copy it so the caller's object is not changed behind its back.
        var card = ModelCard.FromJson(result.Card.ToJsonBytes());
        var codeVersion = lineage.CodeVersion ?? CodeVersion.Current;
        card.Lineage = new ModelLineage { Version = version, ParentVersion = parent, RunId = lineage.RunId, CodeVersion = codeVersion };
        await Store.PutAsync(Containers.Models, VersionBlobName(version, "card.json"), card.ToJsonBytes(), BlobWriteCondition.IfNotExists, "application/json", ct);
        await Store.PutAsync(
            Containers.Models, VersionBlobName(version, "report.html"), System.Text.Encoding.UTF8.GetBytes(result.ReportHtml), BlobWriteCondition.IfNotExists, "text/html; charset=utf-8", ct);

        var info = new ModelVersionInfo
        {
            ModelName = ModelName,
            Version = version,
            ModelId = result.Model.ModelId,
            RegisteredAt = DateTimeOffset.UtcNow,
            ParentVersion = parent,
            RunId = lineage.RunId,
            CodeVersion = codeVersion,
            Source = lineage.Source,
            Description = lineage.Description,
            DataFingerprint = card.DataFingerprint,
            TrainingRows = card.Rows,
            FraudRate = card.FraudRate,
            PrAuc = card.Metrics.PrAuc,
            RocAuc = card.Metrics.RocAuc,
            LogLoss = card.Metrics.LogLoss,
            ModelSha256 = Convert.ToHexStringLower(SHA256.HashData(modelBytes)),
            ModelBytes = modelBytes.Length,
        };

        // The manifest goes last: a version is listed only once all its files are in place.
        await Store.PutAsync(
            Containers.Models,
            VersionBlobName(version, Manifest),
            JsonSerializer.SerializeToUtf8Bytes(info, RegistryJsonContext.Default.ModelVersionInfo),
            BlobWriteCondition.IfNotExists,
            "application/json",
            ct);

        if (champion is null)
        {
            await TryCreateFirstChampionAsync(version, ct);
        }

        return info;
    }

    /// <summary>All complete versions, oldest first.</summary>
    public async Task<IReadOnlyList<ModelVersionInfo>> ListAsync(CancellationToken ct = default)
    {
        var versions = new List<ModelVersionInfo>();
        await foreach (var blob in Store.ListAsync(Containers.Models, _prefix + "versions/", ct))
        {
            if (blob.Name.EndsWith("/" + Manifest, StringComparison.Ordinal))
            {
                var download = await Store.GetAsync(Containers.Models, blob.Name, ct);
                if (download is not null)
                {
                    versions.Add(ReadManifest(download.Content.Span, blob.Name));
                }
            }
        }

        versions.Sort(static (a, b) => VersionNumber(a.Version).CompareTo(VersionNumber(b.Version)));
        return versions;
    }

    /// <summary>One version's manifest, or null when it does not exist (or is still being written).</summary>
    public async Task<ModelVersionInfo?> GetVersionAsync(string version, CancellationToken ct = default)
    {
        var name = VersionBlobName(version, Manifest);
        var download = await Store.GetAsync(Containers.Models, name, ct);
        return download is null ? null : ReadManifest(download.Content.Span, name);
    }

    /// <summary>Where an alias points, with its history and ETag; null when never set.</summary>
    public async Task<AliasInfo?> GetAliasAsync(string alias, CancellationToken ct = default)
    {
        var download = await Store.GetAsync(Containers.Models, AliasBlobName(alias), ct);
        return download is null ? null : ReadAlias(download);
    }

    /// <summary>
    /// Cheap polling for the serving side: returns null when the alias document still has <paramref name="etag"/>,
    /// otherwise the new state (or a result with <see cref="AliasPoll.Exists"/> false when the alias is gone).
    /// </summary>
    public async Task<AliasPoll?> PollAliasAsync(string alias, string? etag, CancellationToken ct = default)
    {
        var result = await Store.GetIfChangedAsync(Containers.Models, AliasBlobName(alias), etag, ct);
        return result.Status switch
        {
            BlobGetStatus.NotModified => null,
            BlobGetStatus.NotFound => new AliasPoll(null),
            _ => new AliasPoll(ReadAlias(result.Download!)),
        };
    }

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, recording the reason.</summary>
    public Task<AliasInfo> PromoteAsync(string version, string alias, string reason, CancellationToken ct = default) =>
        PromoteAsync(version, alias, reason, expectedCurrentVersion: null, ct);

    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="version"/> only if it still points at
    /// <paramref name="expectedCurrentVersion"/> (when given), as a promotion gate decided against that version.
    /// </summary>
    public async Task<AliasInfo> PromoteAsync(string version, string alias, string reason, string? expectedCurrentVersion, CancellationToken ct = default)
    {
        var current = await GetAliasAsync(CheckAlias(alias), ct);
        return await PromoteFromAsync(current, version, alias, reason, expectedCurrentVersion, ct);
    }

    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="version"/> only if the alias document is still exactly the one
    /// the caller read and decided on (<paramref name="seen"/>, written with If-Match on its ETag; null means the alias
    /// must not exist yet). Reading again here would let a promotion decided before someone else's change overwrite it
    /// in turn: eight operators promoting at once would each "win" one after another (issue 14, item 10). With this,
    /// exactly one of any number of promotions decided on the same state wins, with or without an expected version.
    /// </summary>
    public async Task<AliasInfo> PromoteFromAsync(AliasInfo? seen, string version, string alias, string reason, string? expectedCurrentVersion = null, CancellationToken ct = default)
    {
        CheckReason(reason);
        CheckAlias(alias);
        if (seen is not null && !string.Equals(seen.Alias, alias, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The alias read is {seen.Alias}, not {alias}.", nameof(seen));
        }

        if (await GetVersionAsync(version, ct) is null)
        {
            throw new ModelVersionNotFoundException($"Version {version} of {ModelName} does not exist; `fraud registry list` shows the versions.");
        }

        if (expectedCurrentVersion is not null && seen?.Version != expectedCurrentVersion)
        {
            throw new RegistryConflictException(
                $"{alias} of {ModelName} is version {seen?.Version ?? "(none)"}, not {expectedCurrentVersion} as expected; another change came first.");
        }

        if (seen?.Version == version)
        {
            throw new RegistryException($"Version {version} is already {alias} of {ModelName}.");
        }

        return await WriteAliasAsync(alias, version, seen, AliasChangeKinds.Promote, reason, ct);
    }

    /// <summary>
    /// Points champion back at <paramref name="toVersion"/>, or, when null, at the version that was champion before
    /// the current one.
    /// </summary>
    public async Task<AliasInfo> RollbackAsync(string? toVersion, string reason, CancellationToken ct = default)
    {
        CheckReason(reason);
        var current = await GetAliasAsync(ModelAliases.Champion, ct)
            ?? throw new RegistryException($"{ModelName} has no champion to roll back.");
        var target = toVersion ?? PreviousGoodChampion(current)
            ?? throw new RegistryException($"Champion {current.Version} of {ModelName} has no earlier champion; name a version with --to.");
        if (target == current.Version)
        {
            throw new RegistryException($"Version {target} is already champion of {ModelName}.");
        }

        if (await GetVersionAsync(target, ct) is null)
        {
            throw new ModelVersionNotFoundException($"Version {target} of {ModelName} does not exist; `fraud registry list` shows the versions.");
        }

        return await WriteAliasAsync(ModelAliases.Champion, target, current, AliasChangeKinds.Rollback, reason, ct);
    }

    /// <summary>Loads a version's model and card, checking the artifact against the manifest's SHA-256.</summary>
    public async Task<(FraudModel Model, ModelCard Card)> LoadAsync(string version, CancellationToken ct = default)
    {
        var info = await GetVersionAsync(version, ct)
            ?? throw new ModelVersionNotFoundException($"Version {version} of {ModelName} does not exist.");
        var model = await Store.GetAsync(Containers.Models, VersionBlobName(version, "model.json"), ct)
            ?? throw new ModelFormatException($"Version {version} of {ModelName} has no model.json.");
        var card = await Store.GetAsync(Containers.Models, VersionBlobName(version, "card.json"), ct)
            ?? throw new ModelFormatException($"Version {version} of {ModelName} has no card.json.");
        var sha = Convert.ToHexStringLower(SHA256.HashData(model.Content.Span));
        if (!string.Equals(sha, info.ModelSha256, StringComparison.Ordinal))
        {
            throw new ModelFormatException($"model.json of version {version} does not match its registered SHA-256: the artifact is corrupt or was replaced.");
        }

        return (FraudModel.FromJson(model.Content.Span), ModelCard.FromJson(card.Content.Span));
    }

    /// <summary>A version's HTML training report, or null when missing.</summary>
    public async Task<string?> GetReportAsync(string version, CancellationToken ct = default)
    {
        var report = await Store.GetAsync(Containers.Models, VersionBlobName(version, "report.html"), ct);
        return report is null ? null : System.Text.Encoding.UTF8.GetString(report.Content.Span);
    }

    // The most recent earlier champion that was not itself rolled back from, so repeated rollbacks walk further back
    // instead of toggling between the last two versions.
    private static string? PreviousGoodChampion(AliasInfo current)
    {
        var rejected = new HashSet<string>(StringComparer.Ordinal) { current.Version };
        foreach (var change in current.History)
        {
            if (change.Kind == AliasChangeKinds.Rollback && change.PreviousVersion is not null)
            {
                rejected.Add(change.PreviousVersion);
            }
        }

        for (var i = current.History.Count - 1; i >= 0; i--)
        {
            if (!rejected.Contains(current.History[i].Version))
            {
                return current.History[i].Version;
            }
        }

        return null;
    }

    private async Task<string> ClaimNextVersionAsync(byte[] modelBytes, CancellationToken ct)
    {
        var next = await HighestVersionNumberAsync(ct) + 1;
        for (var attempt = 0; attempt < MaxAllocationAttempts; attempt++, next++)
        {
            var version = next.ToString(CultureInfo.InvariantCulture);
            try
            {
                // Writing the artifact with If-None-Match: * is the claim: of two registrations, one gets each number.
                await Store.PutAsync(Containers.Models, VersionBlobName(version, "model.json"), modelBytes, BlobWriteCondition.IfNotExists, "application/json", ct);
                return version;
            }
            catch (BlobPreconditionFailedException)
            {
            }
        }

        throw new RegistryConflictException($"Could not allocate a version of {ModelName} after {MaxAllocationAttempts} attempts: too many concurrent registrations.");
    }

    private async Task<int> HighestVersionNumberAsync(CancellationToken ct)
    {
        // Counts every started version (even one whose manifest is not written yet) so numbers are never reused.
        var highest = 0;
        var versionsPrefix = _prefix + "versions/";
        await foreach (var blob in Store.ListAsync(Containers.Models, versionsPrefix, ct))
        {
            var rest = blob.Name.AsSpan(versionsPrefix.Length);
            var slash = rest.IndexOf('/');
            if (slash > 0 && int.TryParse(rest[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                highest = Math.Max(highest, number);
            }
        }

        return highest;
    }

    private async Task TryCreateFirstChampionAsync(string version, CancellationToken ct)
    {
        try
        {
            await WriteAliasAsync(ModelAliases.Champion, version, null, AliasChangeKinds.FirstModel, "first model registered", ct);
        }
        catch (RegistryConflictException)
        {
            // Another registration created the champion at the same moment: it stays, this version is just registered.
        }
    }

    private async Task<AliasInfo> WriteAliasAsync(string alias, string version, AliasInfo? current, string kind, string reason, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var history = current?.History.ToList() ?? [];
        history.Add(new AliasChange(kind, version, current?.Version, reason.Trim(), now, Actor));
        var document = new AliasInfo
        {
            ModelName = ModelName,
            Alias = alias,
            Version = version,
            UpdatedAt = now,
            Reason = reason.Trim(),
            History = history,
        };
        var condition = current is null ? BlobWriteCondition.IfNotExists : BlobWriteCondition.IfMatch(current.ETag);
        try
        {
            var etag = await Store.PutAsync(
                Containers.Models, AliasBlobName(alias), JsonSerializer.SerializeToUtf8Bytes(document, RegistryJsonContext.Default.AliasInfo), condition, "application/json", ct);
            return document with { ETag = etag };
        }
        catch (BlobPreconditionFailedException ex)
        {
            var now2 = await GetAliasAsync(alias, ct);
            throw new RegistryConflictException(
                $"{alias} of {ModelName} changed while {kind} to version {version} was being written (it is now version {now2?.Version ?? "(none)"}); nothing was changed by this request. Check `fraud registry list` and retry if still wanted.",
                ex);
        }
    }

    private AliasInfo ReadAlias(BlobDownload download)
    {
        try
        {
            var info = JsonSerializer.Deserialize(download.Content.Span, RegistryJsonContext.Default.AliasInfo)
                ?? throw new RegistryException($"Alias document of {ModelName} is empty.");
            return info with { ETag = download.ETag };
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"Alias document of {ModelName} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static ModelVersionInfo ReadManifest(ReadOnlySpan<byte> json, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RegistryJsonContext.Default.ModelVersionInfo)
                ?? throw new RegistryException($"{name} is empty.");
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"{name} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static int VersionNumber(string version) =>
        int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;

    private static string CheckVersion(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || version[0] == '0')
        {
            throw new ArgumentException($"Invalid version '{version}': versions are positive whole numbers such as 3.", nameof(version));
        }

        return version;
    }

    private static string CheckAlias(string alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        if (!NamePattern().IsMatch(alias))
        {
            throw new ArgumentException($"Invalid alias '{alias}': use lowercase letters, digits, '-' or '_' (such as champion or challenger).", nameof(alias));
        }

        return alias;
    }

    private static void CheckReason(string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("A reason is required for every alias change (--reason \"...\").", nameof(reason));
        }
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

/// <summary>A changed alias seen by <see cref="ModelRegistry.PollAliasAsync"/>; <see cref="Alias"/> is null when it was removed.</summary>
public sealed record AliasPoll(AliasInfo? Alias)
{
    public bool Exists => Alias is not null;
}
