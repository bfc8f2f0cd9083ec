using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;
using FraudFunctions.Hosting;
using FraudFunctions.Json;
using FraudFunctions.Protocol;
using FraudFunctions.Scoring;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Batches;

/// <summary>
/// Scores one queued batch, given inline or by claim check. Outcomes: <see cref="BatchOutcome.Done"/> (scored now, or
/// found already scored by an earlier delivery or submission of the same baskets), <see cref="BatchOutcome.Rejected"/>
/// (can never succeed: malformed, a missing claim-check body, a batch id already used for other baskets; recorded once
/// under <c>rejected/</c>, never retried). Store failures and a missing model throw, so the invocation fails and the
/// host retries, then dead-letters. Nothing a redelivery needs is deleted: the claim-check body and the id claim stay.
/// </summary>
public sealed class BatchProcessor(
    IBlobStore store,
    IChampionSource champion,
    IPredictionSink predictions,
    IOptions<FraudOptions> options,
    TimeProvider time)
{
    /// <summary>Completion messages list at most this many flagged ids, keeping them well under Service Bus size limits.</summary>
    public const int MaxFlaggedIds = 1000;

    /// <summary>The most invalid baskets itemised in a completion message.</summary>
    public const int MaxInvalidListed = 100;

    private const int MaxRejectedBodyChars = 1 << 20;

    public async Task<BatchOutcome> ProcessAsync(InvocationRequest request, ReadOnlyMemory<byte> rawBody, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messageId = request.GetMetadataString("MessageId");
        var deliveryCount = request.GetMetadataInt64("DeliveryCount");

        var (message, reject) = await ReadMessageAsync(request, ct);
        if (reject is not null)
        {
            return await RejectAsync(reject, message?.BatchId, messageId, deliveryCount, request, null, ct);
        }

        var batchId = message!.BatchId!;
        var baskets = message.Baskets!;
        var hash = ContentHash(baskets);

        // The id claim: the first delivery of a batch id ties it to these baskets. A redelivery or resubmission (same
        // hash) goes on and finds the results; another batch reusing the id is rejected without seeing anything.
        var claimed = await ClaimAsync(batchId, hash, baskets.Count, messageId, ct);
        if (claimed is not null)
        {
            var reason = new LineError(
                "batchId",
                $"batchId {batchId} was already used for a different batch ({claimed.Baskets} baskets, content sha256 {claimed.ContentSha256[..16]}…); send these baskets under a new batch id.");
            return await RejectAsync(reason, batchId, messageId, deliveryCount, request, hash, ct);
        }

        var name = BatchNames.ResultName(batchId);
        var location = new BlobLocation(Containers.Scored, name, store.Description);
        var existing = await store.GetAsync(Containers.Scored, name, ct);
        if (existing is not null)
        {
            return BatchOutcome.Done(Summarize(ParseLines(existing.Content.Span), batchId, messageId, location), alreadyDone: true);
        }

        var model = champion.Current ?? throw new ModelUnavailableException(champion.Status.LastError);
        var lines = Score(baskets, model);
        var content = WriteLines(lines);
        await store.CreateContainerIfNotExistsAsync(Containers.Scored, ct);
        try
        {
            await store.PutAsync(Containers.Scored, name, content, BlobWriteCondition.IfNotExists, "application/x-ndjson", ct);
        }
        catch (BlobPreconditionFailedException)
        {
            // A concurrent delivery of the same batch won; its lines are the answer.
            var winner = await store.GetAsync(Containers.Scored, name, ct)
                ?? throw new BlobStoreException($"{name} was reported as existing but cannot be read.", 409, null);
            return BatchOutcome.Done(Summarize(ParseLines(winner.Content.Span), batchId, messageId, location), alreadyDone: true);
        }

        // Only the delivery that wrote the results logs the predictions, so a redelivery or resubmission doubles nothing.
        foreach (var line in lines)
        {
            if (line.Basket is not null && line.Error is null)
            {
                predictions.Record(line.Basket, new BasketScore(line.FraudProbability!.Value, ParseDecision(line.Decision), []), model.Version, "batch");
            }
        }

        return BatchOutcome.Done(Summarize(lines, batchId, messageId, location), alreadyDone: false);
    }

    /// <summary>
    /// SHA-256 of the baskets as parsed and re-serialised, so the same baskets hash alike whether they came inline or
    /// by claim check, and whatever the sender's spacing, property order or number spelling (<c>889.0</c> = <c>889</c>).
    /// </summary>
    internal static string ContentHash(IReadOnlyList<Basket?> baskets)
    {
        // HashJson writes Infinity/NaN as named literals: 1e309 in a price parses as Infinity, and that basket is
        // rejected per line by scoring, so hashing must not throw on it (the fuzz found it as a 500).
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        foreach (var basket in baskets)
        {
            if (basket is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                JsonSerializer.Serialize(writer, basket, HashJson.Basket);
            }

            writer.Flush();
            buffer.Write("\n"u8);
            hash.AppendData(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
            writer.Reset();
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Null when this batch holds (or just took) the id; otherwise the claim of the other batch that holds it.</summary>
    private async Task<BatchClaim?> ClaimAsync(string batchId, string hash, int count, string? messageId, CancellationToken ct)
    {
        var name = BatchNames.ClaimName(batchId);
        var claim = new BatchClaim(batchId, hash, count, messageId, time.GetUtcNow());
        await store.CreateContainerIfNotExistsAsync(Containers.Batches, ct);
        try
        {
            await store.PutAsync(Containers.Batches, name, JsonSerializer.SerializeToUtf8Bytes(claim, FunctionsJsonContext.Default.BatchClaim), BlobWriteCondition.IfNotExists, "application/json", ct);
            return null;
        }
        catch (BlobPreconditionFailedException)
        {
        }

        var existing = await store.GetAsync(Containers.Batches, name, ct)
            ?? throw new BlobStoreException($"{Containers.Batches}/{name} was reported as existing but cannot be read.", 409, null);
        var held = JsonSerializer.Deserialize(existing.Content.Span, FunctionsJsonContext.Default.BatchClaim)
            ?? throw new InvalidDataException($"{Containers.Batches}/{name} is empty.");
        return string.Equals(held.ContentSha256, hash, StringComparison.Ordinal) ? null : held;
    }

    private async Task<(BatchMessage? Message, LineError? Reject)> ReadMessageAsync(InvocationRequest request, CancellationToken ct)
    {
        if (!request.TryGetBinding("message", out var body))
        {
            return (null, new LineError("Data.message", "The message binding is missing or null."));
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, new LineError("message", $"The message body must be a JSON object {{batchId, baskets[]}} or {{batchId, blob}}; got {Describe(body.ValueKind)}."));
        }

        var (message, reject) = Parse(body, "message");
        if (reject is not null)
        {
            return (message, reject);
        }

        if (message!.Blob is not null)
        {
            if (message.Baskets is not null)
            {
                return (message, new LineError("blob", "A message carries either baskets or a claim-check blob, not both."));
            }

            (message, reject) = await ReadClaimCheckAsync(message!, ct);
            if (reject is not null)
            {
                return (message, reject);
            }
        }

        if (message!.Baskets is null || message.Baskets.Count == 0)
        {
            return (message, new LineError("baskets", "A batch needs at least one basket."));
        }

        var max = options.Value.MaxBatchBaskets;
        return message.Baskets.Count > max
            ? (message, new LineError("baskets", $"A batch holds at most {max} baskets; this one has {message.Baskets.Count}."))
            : (message, null);
    }

    private static (BatchMessage? Message, LineError? Reject) Parse(JsonElement body, string root)
    {
        BatchMessage? message;
        try
        {
            message = body.Deserialize(FunctionsJsonContext.Default.BatchMessage);
        }
        catch (JsonException ex)
        {
            return (null, new LineError(Http.JsonBody.FieldFromPath(ex.Path, root), "The value has the wrong type or is not valid JSON for this field."));
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json throws this (not JsonException) for a string holding invalid UTF-8 or a lone surrogate
            // escape such as "\ud800": a bad message to reject, not a handler failure (fuzz found it as a 500).
            return (null, new LineError(root, "A text value is not valid Unicode (invalid UTF-8 or a lone \\uD800-\\uDFFF escape)."));
        }

        if (message is null || string.IsNullOrWhiteSpace(message.BatchId))
        {
            return (message, new LineError("batchId", "batchId is required."));
        }

        return BatchNames.IsValidId(message.BatchId)
            ? (message, null)
            : (message with { BatchId = null }, new LineError("batchId", $"batchId must be {BatchNames.IdRule}."));
    }

    /// <summary>
    /// Reads the inline form from <c>batches/incoming/&lt;batchId&gt;.json</c>. Only that exact blob is accepted, so a
    /// message cannot make the handler read any other blob. A missing or malformed body can never succeed: rejected.
    /// </summary>
    private async Task<(BatchMessage? Message, LineError? Reject)> ReadClaimCheckAsync(BatchMessage message, CancellationToken ct)
    {
        var expected = BatchNames.ClaimCheckReference(message.BatchId!);
        if (!string.Equals(message.Blob, expected, StringComparison.Ordinal))
        {
            return (message, new LineError("blob", $"The claim-check blob of batch {message.BatchId} must be {expected}."));
        }

        var blob = await store.GetAsync(Containers.Batches, BatchNames.IncomingName(message.BatchId!), ct);
        if (blob is null)
        {
            return (message, new LineError("blob", $"{expected} does not exist; write the batch there before sending its message."));
        }

        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(blob.Content);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (message, new LineError("blob", $"{expected} is not valid JSON."));
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (message, new LineError("blob", $"{expected} must hold a JSON object {{batchId, baskets[]}}."));
        }

        var (inner, reject) = Parse(body, "blob");
        if (reject is not null)
        {
            return (message, reject);
        }

        if (!string.Equals(inner!.BatchId, message.BatchId, StringComparison.Ordinal) || inner.Blob is not null)
        {
            return (message, new LineError("blob", $"{expected} must hold batch {message.BatchId} with its baskets (batchId and baskets, no blob)."));
        }

        return (inner, null);
    }

    private static ScoredLine[] Score(IReadOnlyList<Basket?> baskets, ChampionSnapshot model)
    {
        var lines = new ScoredLine[baskets.Count];

        // Each line depends only on its own basket, so the output is the same whatever the degree of parallelism.
        Parallel.For(0, baskets.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var basket = baskets[i];
            var errors = BasketValidation.Validate(basket);
            if (errors.Count > 0)
            {
                lines[i] = new ScoredLine(i, basket?.Id, Error: new LineError($"baskets[{i}].{errors[0].Field}", errors[0].Message));
                return;
            }

            BasketScore score;
            try
            {
                score = model.Scorer.Score(basket!, explain: false);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NullReferenceException or FormatException or OverflowException)
            {
                // The same basket would fail the same way on every redelivery: report it as a line, never fail the batch.
                lines[i] = new ScoredLine(i, basket!.Id, Error: new LineError($"baskets[{i}]", "The basket could not be scored."));
                return;
            }

            lines[i] = new ScoredLine(i, basket!.Id, score.FraudProbability, DecisionNames.Of(score.Decision), model.Version, basket);
        });
        return lines;
    }

    private static ReadOnlyMemory<byte> WriteLines(ScoredLine[] lines)
    {
        var buffer = new ArrayBufferWriter<byte>(lines.Length * 512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            foreach (var line in lines)
            {
                JsonSerializer.Serialize(writer, line, FunctionsJsonContext.Default.ScoredLine);
                writer.Flush();
                buffer.Write("\n"u8);
                writer.Reset();
            }
        }

        return buffer.WrittenMemory;
    }

    private static List<ScoredLine> ParseLines(ReadOnlySpan<byte> content)
    {
        var lines = new List<ScoredLine>();
        while (!content.IsEmpty)
        {
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            content = end < 0 ? default : content[(end + 1)..];
            if (!line.IsEmpty)
            {
                lines.Add(JsonSerializer.Deserialize(line, FunctionsJsonContext.Default.ScoredLine)
                    ?? throw new InvalidDataException("An empty line in a scored batch."));
            }
        }

        return lines;
    }

    /// <summary>The completion message, a pure function of the result lines.</summary>
    private static BatchCompletion Summarize(IReadOnlyList<ScoredLine> lines, string batchId, string? messageId, BlobLocation location)
    {
        int approve = 0, review = 0, decline = 0, invalid = 0;
        string? version = null;
        var flagged = new List<string>();
        var problems = new List<BatchLineProblem>();
        var truncated = false;
        foreach (var line in lines)
        {
            if (line.Error is { } error)
            {
                invalid++;
                if (problems.Count < MaxInvalidListed)
                {
                    problems.Add(new BatchLineProblem(line.Index, line.Id, error.Field, error.Message));
                }

                continue;
            }

            version ??= line.ModelVersion;
            switch (line.Decision)
            {
                case DecisionNames.Approve:
                    approve++;
                    continue;
                case DecisionNames.Review:
                    review++;
                    break;
                default:
                    decline++;
                    break;
            }

            if (flagged.Count < MaxFlaggedIds)
            {
                flagged.Add(line.Id ?? string.Empty);
            }
            else
            {
                truncated = true;
            }
        }

        var counts = new BatchCounts(lines.Count, lines.Count - invalid, invalid, approve, review, decline, review + decline);
        return new BatchCompletion("scored", batchId, messageId, version, counts, flagged, truncated, problems, location);
    }

    /// <summary>
    /// Records a message that can never succeed and answers it deliberately, so the host completes it instead of
    /// retrying it into the dead-letter queue. The record's name is a hash of the MessageId and the message body (plus
    /// the content hash for an id reuse), never of the envelope: every delivery of one message finds the same record,
    /// whatever its MessageId looks like, so redeliveries write nothing new.
    /// </summary>
    private async Task<BatchOutcome> RejectAsync(
        LineError reason, string? batchId, string? messageId, long? deliveryCount, InvocationRequest request, string? contentHash, CancellationToken ct)
    {
        string? body = null;
        if (request.TryGetBinding("message", out var message))
        {
            body = message.ValueKind == JsonValueKind.String ? message.GetString() : message.GetRawText();
        }

        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body ?? string.Empty)));
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{messageId}\n{bodyHash}\n{contentHash}")))[..32];
        var name = BatchNames.IsValidId(messageId) ? $"{messageId}-{key[..16]}.json" : $"{key}.json";
        if (body is { Length: > MaxRejectedBodyChars })
        {
            body = body[..MaxRejectedBodyChars];
        }

        var record = new RejectedMessage(messageId, batchId, deliveryCount, reason.Message, reason.Field, time.GetUtcNow(), bodyHash, body);
        await store.CreateContainerIfNotExistsAsync(Containers.Rejected, ct);
        try
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(record, FunctionsJsonContext.Default.RejectedMessage);
            await store.PutAsync(Containers.Rejected, name, bytes, BlobWriteCondition.IfNotExists, "application/json", ct);
        }
        catch (BlobPreconditionFailedException)
        {
            // Recorded by an earlier delivery of the same message.
        }

        var location = new BlobLocation(Containers.Rejected, name, store.Description);
        return BatchOutcome.Rejected(new BatchCompletion("rejected", batchId, messageId, null, null, null, false, null, location, reason.Message, reason.Field));
    }

    private static Decision ParseDecision(string? name) => name switch
    {
        DecisionNames.Approve => Decision.Approve,
        DecisionNames.Review => Decision.Review,
        _ => Decision.Decline,
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string that is not JSON",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>What happened to a batch message.</summary>
public sealed record BatchOutcome(BatchCompletion Completion, bool IsRejected, bool AlreadyDone)
{
    public static BatchOutcome Done(BatchCompletion completion, bool alreadyDone) => new(completion, false, alreadyDone);

    public static BatchOutcome Rejected(BatchCompletion completion) => new(completion, true, false);
}

/// <summary>No champion is loaded: a transient condition, so the invocation fails and the host retries.</summary>
public sealed class ModelUnavailableException : Exception
{
    public ModelUnavailableException()
    {
    }

    public ModelUnavailableException(string? message)
        : base(message ?? "No model is loaded yet.")
    {
    }

    public ModelUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The serialiser options of <see cref="BatchProcessor.ContentHash"/>: the product's, plus named floating-point literals.</summary>
internal static class HashJson
{
    public static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<Basket> Basket =
        new FunctionsJsonContext(new JsonSerializerOptions(FunctionsJsonContext.Default.Options)
        {
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }).Basket;
}
