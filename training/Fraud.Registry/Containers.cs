namespace Fraud.Registry;

/// <summary>Blob container names in the product's store (docs/settings.md).</summary>
public static class Containers
{
    public const string Models = "models";
    public const string Runs = "runs";
    public const string Predictions = "predictions";
    public const string Labels = "labels";
    public const string Scored = "scored";
    public const string Rejected = "rejected";

    /// <summary>Queued batches' side data: claim-check bodies (<c>incoming/</c>) and batch-id claims (<c>claims/</c>).</summary>
    public const string Batches = "batches";

    /// <summary>Every container the product writes to, for creating them up front.</summary>
    public static IReadOnlyList<string> All { get; } = [Models, Runs, Predictions, Labels, Scored, Rejected, Batches];
}
