using Fraud.Baskets;

namespace FraudFunctions.Batches;

/// <summary>
/// A queued batch: inline <c>{batchId, baskets[]}</c>, or by claim check <c>{batchId, blob}</c> where <c>blob</c> is
/// <c>batches/incoming/&lt;batchId&gt;.json</c> holding the inline form. The batch id names blobs, so it is a safe token.
/// </summary>
public sealed record BatchMessage(string? BatchId, IReadOnlyList<Basket?>? Baskets, string? Blob = null);

/// <summary>
/// <c>batches/claims/&lt;batchId&gt;.json</c>, written create-only by the first delivery of a batch id: ties the id to
/// its content hash for good, so a redelivery or resubmission of the same baskets is recognised whatever the date, and
/// another batch reusing the id is rejected.
/// </summary>
public sealed record BatchClaim(string BatchId, string ContentSha256, int Baskets, string? MessageId, DateTimeOffset ClaimedAt);

/// <summary>
/// One line of <c>scored/&lt;batchId&gt;.jsonl</c>, one per basket in message order: either a score or the
/// reason the basket was not scored. The completion message is computed from these lines alone, so a redelivery that
/// finds the blob already written re-sends exactly the same completion.
/// </summary>
public sealed record ScoredLine(
    int Index,
    string? Id,
    double? FraudProbability = null,
    string? Decision = null,
    string? ModelVersion = null,
    Basket? Basket = null,
    LineError? Error = null);

/// <summary>Why a basket of a batch was not scored.</summary>
public sealed record LineError(string Field, string Message);

/// <summary>Where a batch's results are.</summary>
public sealed record BlobLocation(string Container, string Name, string Store);

/// <summary>Counts of a scored batch.</summary>
public sealed record BatchCounts(int Received, int Scored, int Invalid, int Approve, int Review, int Decline, int Flagged);

/// <summary>
/// The completion message sent to the results queue: batch id, counts, flagged basket ids and where the results are.
/// <see cref="Status"/> is <c>scored</c> or <c>rejected</c> (then <see cref="Reason"/> says why).
/// </summary>
public sealed record BatchCompletion(
    string Status,
    string? BatchId,
    string? MessageId,
    string? ModelVersion,
    BatchCounts? Counts,
    IReadOnlyList<string>? FlaggedIds,
    bool FlaggedIdsTruncated,
    IReadOnlyList<BatchLineProblem>? Invalid,
    BlobLocation Location,
    string? Reason = null,
    string? Field = null);

/// <summary>A basket of the batch that was not scored, by position.</summary>
public sealed record BatchLineProblem(int Index, string? Id, string Field, string Message);

/// <summary>The output bindings of ProcessBatch: <c>results</c> is the Service Bus output (docs/settings.md).</summary>
public sealed record ProcessBatchOutputs(BatchCompletion Results);

/// <summary>
/// The record kept under <c>rejected/</c> for a message that can never be processed, one per distinct message (its
/// MessageId and body), however often it is delivered.
/// </summary>
public sealed record RejectedMessage(
    string? MessageId,
    string? BatchId,
    long? DeliveryCount,
    string Reason,
    string Field,
    DateTimeOffset RecordedAt,
    string BodySha256,
    string? Body);
