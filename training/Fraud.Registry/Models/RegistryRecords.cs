namespace Fraud.Registry;

/// <summary>What the caller knows about where a model came from; the registry fills the rest from the card.</summary>
/// <param name="RunId">The tracked training run that produced the model.</param>
/// <param name="ParentVersion">The version this model was derived from or replaces; defaults to the champion at registration.</param>
/// <param name="CodeVersion">Code that trained it; defaults to <see cref="CodeVersion.Current"/> (git sha or assembly version).</param>
/// <param name="Source">Who registered it, such as <c>fraud train</c> or <c>monitoring retrain</c>.</param>
/// <param name="Description">Free text for people.</param>
/// <param name="SkipIdentical">Return the registered version that already holds this very model (same model id) instead of creating a new one.</param>
public sealed record RegistrationInfo(
    string? RunId = null,
    string? ParentVersion = null,
    string? CodeVersion = null,
    string? Source = null,
    string? Description = null,
    bool SkipIdentical = false);

/// <summary>One immutable registered version (its <c>version.json</c> manifest).</summary>
public sealed record ModelVersionInfo
{
    public required string ModelName { get; init; }

    /// <summary>
    /// True when <see cref="ModelRegistry.RegisterAsync"/> found this version already holding the same model (same
    /// content id: trees, encodings, calibration, thresholds) and created no new one. Not stored.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool AlreadyRegistered { get; init; }

    /// <summary>Sequential version number as text: "1", "2", ...</summary>
    public required string Version { get; init; }

    public required string ModelId { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    public string? ParentVersion { get; init; }

    public string? RunId { get; init; }

    public string? CodeVersion { get; init; }

    public string? Source { get; init; }

    public string? Description { get; init; }

    /// <summary>SHA-256 of the training data (baskets and labels), from the card.</summary>
    public string DataFingerprint { get; init; } = string.Empty;

    public int TrainingRows { get; init; }

    public double FraudRate { get; init; }

    /// <summary>Held-out PR-AUC (average precision) from the card.</summary>
    public double PrAuc { get; init; }

    public double RocAuc { get; init; }

    public double LogLoss { get; init; }

    /// <summary>SHA-256 (hex) of <c>model.json</c>, checked on every load so a corrupted artifact is never served.</summary>
    public string ModelSha256 { get; init; } = string.Empty;

    public long ModelBytes { get; init; }
}

/// <summary>Where an alias points now, and how it got there.</summary>
public sealed record AliasInfo
{
    public required string ModelName { get; init; }

    public required string Alias { get; init; }

    public required string Version { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required string Reason { get; init; }

    /// <summary>Every change of this alias, oldest first; the last entry is the current state.</summary>
    public List<AliasChange> History { get; init; } = [];

    /// <summary>The stored document's ETag (not serialised): the guard for the next update.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ETag { get; init; } = string.Empty;
}

/// <summary>One alias update: promotion, rollback or the automatic first champion.</summary>
public sealed record AliasChange(
    string Kind,
    string Version,
    string? PreviousVersion,
    string Reason,
    DateTimeOffset ChangedAt,
    string? ChangedBy);

/// <summary>Kinds of <see cref="AliasChange"/>.</summary>
public static class AliasChangeKinds
{
    public const string Promote = "promote";
    public const string Rollback = "rollback";
    public const string FirstModel = "first-model";
}

/// <summary>Well-known aliases.</summary>
public static class ModelAliases
{
    public const string Champion = "champion";
    public const string Challenger = "challenger";
}
