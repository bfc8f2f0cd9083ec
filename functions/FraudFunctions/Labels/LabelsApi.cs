using Fraud.Baskets;
using FraudFunctions.Http;
using FraudFunctions.Json;
using FraudFunctions.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FraudFunctions.Labels;

/// <summary>One fraud label as posted: which basket, whether it was fraud, who says so and when it was observed.</summary>
public sealed record LabelDto(string? Id, bool? FraudFlag, string? Source, DateTimeOffset? ObservedAt);

/// <summary>
/// The answer of <c>POST /api/labels</c>: labels stored, and labels that changed nothing (the same label is already in
/// force for the basket, or a label observed later is).
/// </summary>
public sealed record LabelsResponse(int Recorded, int Unchanged);

/// <summary>What a label sink did with a request's labels.</summary>
/// <param name="Recorded">Labels stored.</param>
/// <param name="Unchanged">Labels not stored because the label in force already says as much (posted again) or was observed later.</param>
/// <param name="NotScored">Indexes of the labels whose basket was not scored in the label lookback: when any, nothing was stored.</param>
public sealed record LabelsOutcome(int Recorded, int Unchanged, IReadOnlyList<int> NotScored);

/// <summary>Keeps labels for retraining; the production implementation appends to the <c>labels</c> container.</summary>
public interface ILabelSink
{
    /// <summary>Stores the labels that change something, all or none: a label for a basket never scored refuses the request.</summary>
    Task<LabelsOutcome> RecordAsync(IReadOnlyList<ValidLabel> labels, CancellationToken ct);
}

/// <summary>A label that passed validation.</summary>
public sealed record ValidLabel(string Id, bool FraudFlag, string Source, DateTimeOffset ObservedAt);

/// <summary>
/// <c>POST /api/labels</c>. A label is accepted only for a basket this service scored within the label lookback (90 days):
/// labels choose the retraining trigger, the challenger's data and the gate's holdout, so an id nobody scored is refused
/// (issue 14 item 8) with a 400 naming it, and nothing of that request is stored. One label per basket: posting the same
/// label again stores nothing; a label observed later (a chargeback after a manual review) supersedes the one in force.
/// </summary>
public static class LabelsApi
{
    public const int MaxLabels = 10_000;
    public const long MaxBytes = 4 * 1024 * 1024;
    public const int MaxSourceLength = 64;

    /// <summary>Refused labels named one by one in a 400 at most; the count says how many there were in all.</summary>
    public const int MaxRefusalsListed = 100;

    /// <summary>No credit application in this service's data is older; an earlier time (1970 from a zero timestamp) is a client bug.</summary>
    public static readonly DateTimeOffset EarliestObservedAt = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far ahead of this server's clock an <c>observedAt</c> may be: clock skew, not a day.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>How far back a basket must have been scored for its label to be accepted: the monitoring job's label lookback.</summary>
    public static readonly int LabelLookbackDays = (int)new Fraud.Monitoring.MonitoringOptions().LabelLookback.TotalDays;

    public static RouteGroupBuilder MapLabels(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/labels", RecordAsync)
            .WithName("RecordLabels")
            .WithSummary("Record fraud labels")
            .WithDescription("Stores up to 10,000 labels for retraining, only for baskets scored in the last 90 days (an unknown basket id is a 400 naming it, and nothing is stored). Posting the same label again stores nothing; the label observed latest is the one in force.")
            .AcceptsContract(Contracts.Labels)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    internal static async Task<Results<Ok<LabelsResponse>, ProblemHttpResult>> RecordAsync(
        HttpRequest request, ILabelSink sink, TimeProvider time, ILoggerFactory loggers)
    {
        var (labels, problem) = await JsonBody.ReadAsync(request, FunctionsJsonContext.Default.ListLabelDto, Contracts.Labels, MaxBytes);
        if (problem is not null)
        {
            return problem;
        }

        if (labels!.Count == 0)
        {
            return Problems.Invalid("body", "Send at least one label.");
        }

        if (labels.Count > MaxLabels)
        {
            return Problems.Invalid("body", $"At most {MaxLabels} labels per request; this one has {labels.Count}.");
        }

        var errors = new List<ValidationError>();
        var valid = new List<ValidLabel>(labels.Count);
        // The contract says observedAt is not in the future; a partner's clock may run a little ahead of ours, so
        // ClockSkew (5 minutes) is allowed and nothing more (it was a whole day, issue 14 item 8).
        var latest = time.GetUtcNow() + ClockSkew;
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            var before = errors.Count;
            var path = $"[{i}]";
            if (label is null)
            {
                errors.Add(new ValidationError(path, "The label is missing."));
                continue;
            }

            if (string.IsNullOrWhiteSpace(label.Id) || label.Id.Length > Basket.MaxStringLength)
            {
                errors.Add(new ValidationError($"{path}.id", $"The basket id is required (at most {Basket.MaxStringLength} characters)."));
            }

            if (label.FraudFlag is null)
            {
                errors.Add(new ValidationError($"{path}.fraudFlag", "fraudFlag is required (true or false)."));
            }

            if (string.IsNullOrWhiteSpace(label.Source) || label.Source.Length > MaxSourceLength)
            {
                errors.Add(new ValidationError($"{path}.source", $"The label source is required (at most {MaxSourceLength} characters), e.g. chargeback."));
            }

            if (label.ObservedAt is not { } observed || observed > latest)
            {
                errors.Add(new ValidationError($"{path}.observedAt", "observedAt is required, as an ISO 8601 time not in the future (at most 5 minutes ahead of the server's clock)."));
            }
            else if (observed < EarliestObservedAt)
            {
                errors.Add(new ValidationError($"{path}.observedAt", "observedAt is before 2000-01-01; send the time the outcome was observed."));
            }

            if (errors.Count == before)
            {
                valid.Add(new ValidLabel(label.Id!, label.FraudFlag!.Value, label.Source!, label.ObservedAt!.Value));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        LabelsOutcome outcome;
        try
        {
            outcome = await sink.RecordAsync(valid, request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (StoreErrors.IsStoreFailure(ex))
        {
            loggers.CreateLogger(typeof(LabelsApi)).LogWarning(ex, "Storing {Count} labels failed.", valid.Count);
            return Problems.StoreUnavailable("The labels could not be stored; nothing was recorded. Retry later.");
        }

        if (outcome.NotScored.Count > 0)
        {
            // Each refused label is named, up to a hundred: a whole batch of unknown ids would otherwise answer megabytes.
            if (outcome.NotScored.Count > MaxRefusalsListed)
            {
                errors.Add(new ValidationError("body", $"{outcome.NotScored.Count} labels name baskets that were not scored; the first {MaxRefusalsListed} are listed. Nothing in this request was recorded."));
            }

            foreach (var i in outcome.NotScored.Take(MaxRefusalsListed))
            {
                errors.Add(new ValidationError($"[{i}].id",
                    $"Basket '{valid[i].Id}' was not scored by this service in the last {LabelLookbackDays} days, so it cannot be labelled. " +
                    "Nothing in this request was recorded: send it again without this label (a basket scored in the last minute may not be stored yet: retry shortly)."));
            }

            return Problems.Invalid(errors);
        }

        return TypedResults.Ok(new LabelsResponse(outcome.Recorded, outcome.Unchanged));
    }
}
