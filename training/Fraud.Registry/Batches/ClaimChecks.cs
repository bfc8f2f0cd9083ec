using Fraud.Registry.Storage;

namespace Fraud.Registry.Batches;

/// <summary>What <see cref="ClaimChecks.WriteAsync"/> did.</summary>
public enum ClaimCheckWrite
{
    /// <summary>The body was written now.</summary>
    Written,

    /// <summary>The same bytes were already there (a resubmission): nothing written.</summary>
    AlreadyThere,
}

/// <summary>The sender's side of the claim check: the batch body goes to <c>batches/incoming/&lt;batchId&gt;.json</c>, create-only.</summary>
public static class ClaimChecks
{
    /// <summary>
    /// Writes <paramref name="inlineBody"/> create-only. The same bytes already there mean a resubmission and are fine;
    /// other bytes under that id throw <see cref="InvalidOperationException"/>: the id is taken by another batch.
    /// </summary>
    public static async Task<ClaimCheckWrite> WriteAsync(IBlobStore store, string batchId, ReadOnlyMemory<byte> inlineBody, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!BatchNames.IsValidId(batchId))
        {
            throw new ArgumentException($"A batch id must be {BatchNames.IdRule}.", nameof(batchId));
        }

        var name = BatchNames.IncomingName(batchId);
        await store.CreateContainerIfNotExistsAsync(Containers.Batches, ct);
        try
        {
            await store.PutAsync(Containers.Batches, name, inlineBody, BlobWriteCondition.IfNotExists, "application/json", ct);
            return ClaimCheckWrite.Written;
        }
        catch (BlobPreconditionFailedException)
        {
        }

        var existing = await store.GetAsync(Containers.Batches, name, ct);
        if (existing is not null && existing.Content.Span.SequenceEqual(inlineBody.Span))
        {
            return ClaimCheckWrite.AlreadyThere;
        }

        throw new InvalidOperationException(
            $"{BatchNames.ClaimCheckReference(batchId)} already holds a different batch; batch ids are never reused, so send these baskets under a new id.");
    }
}
