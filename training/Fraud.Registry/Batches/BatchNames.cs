using System.Text.RegularExpressions;

namespace Fraud.Registry.Batches;

/// <summary>
/// Names shared by the partner-side client (<c>fraud submit</c>, <c>fraud results</c>) and <c>ProcessBatch</c>: the
/// batch id rule and where a batch's claim-check body, id claim and results live. docs/contracts.md ("Batches").
/// </summary>
public static partial class BatchNames
{
    /// <summary>A batch id names blobs, so it is a safe token: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public const string IdRule = "1-128 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>
    /// True when <paramref name="id"/> follows <see cref="IdRule"/>. Anchored with <c>\A</c> and <c>\z</c>: in .NET
    /// <c>$</c> also matches before a final newline, which let <c>"b-1\n"</c> through to fail later on every delivery.
    /// </summary>
    public static bool IsValidId(string? id) => id is not null && SafeId().IsMatch(id);

    /// <summary>The claim-check body of a batch, in container <see cref="Containers.Batches"/>.</summary>
    public static string IncomingName(string batchId) => $"incoming/{batchId}.json";

    /// <summary>The value of a claim-check message's <c>blob</c> field: <c>batches/incoming/&lt;batchId&gt;.json</c>.</summary>
    public static string ClaimCheckReference(string batchId) => $"{Containers.Batches}/{IncomingName(batchId)}";

    /// <summary>The first-come record that ties a batch id to its content hash, in container <see cref="Containers.Batches"/>.</summary>
    public static string ClaimName(string batchId) => $"claims/{batchId}.json";

    /// <summary>The scored lines of a batch, in container <see cref="Containers.Scored"/>; one per batch id, whatever the date.</summary>
    public static string ResultName(string batchId) => $"{batchId}.jsonl";

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeId();
}
