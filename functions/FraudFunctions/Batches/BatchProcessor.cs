using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;
using Fraud.Registry.Storage;
using FraudFunctions.Hosting;
using FraudFunctions.Json;
using FraudFunctions.Protocol;
using FraudFunctions.Scoring;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Batches;

/// <summary>
/// Scores one queued batch. Outcomes: <see cref="BatchOutcome.Done"/> (scored now, or found already scored by an
/// earlier delivery), <see cref="BatchOutcome.Rejected"/> (malformed, recorded under <c>rejected/</c>, never retried).
/// Store failures and a missing model throw, so the invocation fails and the host retries, then dead-letters.
/// </summary>
public sealed partial class BatchProcessor(
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
        var enqueued = request.GetMetadataTime("EnqueuedTimeUtc") ?? time.GetUtcNow();

        var (message, reject) = ReadMessage(request);
        if (reject is not null)
        {
            return await RejectAsync(reject, message?.BatchId, messageId, deliveryCount, enqueued, request, rawBody, ct);
        }

        var name = $"{enqueued.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/{message!.BatchId}.jsonl";
        var location = new BlobLocation(Containers.Scored, name, store.Description);

        // A redelivery (or a second delivery racing this one) finds the blob and re-sends the same completion.
        var existing = await store.GetAsync(Containers.Scored, name, ct);
        if (existing is not null)
        {
            return BatchOutcome.Done(Summarize(ParseLines(existing.Content.Span), message.BatchId!, messageId, location), alreadyDone: true);
        }

        var model = champion.Current ?? throw new ModelUnavailableException(champion.Status.LastError);
        var lines = Score(message.Baskets!, model);
        var content = WriteLines(lines);
        await store.CreateContainerIfNotExistsAsync(Containers.Scored, ct);
        try
        {
            await store.PutAsync(Containers.Scored, name, content, BlobWriteCondition.IfNotExists, "application/x-ndjson", ct);
        }
        catch (BlobPreconditionFailedException)
        {
            var winner = await store.GetAsync(Containers.Scored, name, ct)
                ?? throw new BlobStoreException($"{name} was reported as existing but cannot be read.", 409, null);
            return BatchOutcome.Done(Summarize(ParseLines(winner.Content.Span), message.BatchId!, messageId, location), alreadyDone: true);
        }

        // Only the delivery that wrote the results logs the predictions, so a redelivery doubles nothing.
        foreach (var line in lines)
        {
            if (line.Basket is not null && line.Error is null)
            {
                predictions.Record(line.Basket, new BasketScore(line.FraudProbability!.Value, ParseDecision(line.Decision), []), model.Version, "batch");
            }
        }

        return BatchOutcome.Done(Summarize(lines, message.BatchId!, messageId, location), alreadyDone: false);
    }

    private (BatchMessage? Message, LineError? Reject) ReadMessage(InvocationRequest request)
    {
        if (!request.TryGetBinding("message", out var body))
        {
            return (null, new LineError("Data.message", "The message binding is missing or null."));
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, new LineError("message", $"The message body must be a JSON object {{batchId, baskets[]}}; got {Describe(body.ValueKind)}."));
        }

        BatchMessage? message;
        try
        {
            message = body.Deserialize(FunctionsJsonContext.Default.BatchMessage);
        }
        catch (JsonException ex)
        {
            return (null, new LineError(Http.JsonBody.FieldFromPath(ex.Path, "message"), "The value has the wrong type or is not valid JSON for this field."));
        }

        if (message is null || string.IsNullOrWhiteSpace(message.BatchId))
        {
            return (message, new LineError("batchId", "batchId is required."));
        }

        if (!SafeBatchId().IsMatch(message.BatchId))
        {
            return (message with { BatchId = null }, new LineError("batchId", "batchId must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }

        if (message.Baskets is null || message.Baskets.Count == 0)
        {
            return (message, new LineError("baskets", "A batch needs at least one basket."));
        }

        var max = options.Value.MaxBatchBaskets;
        return message.Baskets.Count > max
            ? (message, new LineError("baskets", $"A batch holds at most {max} baskets; this one has {message.Baskets.Count}."))
            : (message, null);
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

            var score = model.Scorer.Score(basket!, explain: false);
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

    private async Task<BatchOutcome> RejectAsync(
        LineError reason, string? batchId, string? messageId, long? deliveryCount, DateTimeOffset enqueued, InvocationRequest request, ReadOnlyMemory<byte> rawBody, CancellationToken ct)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(rawBody.Span));
        var key = messageId is not null && SafeBatchId().IsMatch(messageId) ? messageId : hash;
        var day = enqueued.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var name = $"{day}/{key}.json";
        string? body = null;
        if (request.TryGetBinding("message", out var message))
        {
            var text = message.ValueKind == JsonValueKind.String ? message.GetString() : message.GetRawText();
            body = text is { Length: > MaxRejectedBodyChars } ? text[..MaxRejectedBodyChars] : text;
        }

        var record = new RejectedMessage(messageId, batchId, deliveryCount, reason.Message, reason.Field, time.GetUtcNow(), hash, body);
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

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeBatchId();
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
