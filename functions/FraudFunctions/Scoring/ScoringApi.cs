using System.Diagnostics;
using Fraud.Baskets;
using FraudFunctions.Http;
using FraudFunctions.Json;
using FraudFunctions.OpenApi;
using FraudFunctions.Status;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FraudFunctions.Scoring;

/// <summary><c>POST /api/score</c> and <c>POST /api/score/batch</c>: the champion scores baskets in memory.</summary>
public static class ScoringApi
{
    /// <summary>A 24-item basket with 256-character strings is about 30 KB; anything larger is not a basket.</summary>
    public const long MaxBasketBytes = 64 * 1024;

    /// <summary>The most baskets in one synchronous batch request; larger batches go through the queue.</summary>
    public const int MaxBatchBaskets = 1000;

    public const long MaxBatchBytes = MaxBatchBaskets * MaxBasketBytes / 4;

    /// <summary>The query flag that leaves the reasons out (cheaper).</summary>
    public const string ExplainParameter = "explain";

    private const string ExplainDescription = "false leaves the reasons out of each answer (cheaper); true (the default) includes them. Any other value is a 400.";

    public static RouteGroupBuilder MapScoring(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/score", ScoreAsync)
            .WithName("ScoreBasket")
            .WithSummary("Score one basket")
            .WithDescription("Returns the fraud probability, the decision, the model version and (unless explain=false) the reasons.")
            .AcceptsContract(Contracts.Basket)
            .AcceptsFlag(ExplainParameter, true, ExplainDescription)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/score/batch", ScoreBatchAsync)
            .WithName("ScoreBatch")
            .WithSummary("Score up to 1,000 baskets")
            .WithDescription("Scores every basket of the request and returns the results in the order sent. An invalid basket fails the whole request with a 400 naming it.")
            .AcceptsContract(Contracts.ScoreBatch)
            .AcceptsFlag(ExplainParameter, true, ExplainDescription)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    internal static async Task<Results<Ok<ScoreResponse>, ProblemHttpResult>> ScoreAsync(
        HttpRequest request, IChampionSource champion, IPredictionSink predictions, ScoringTelemetry telemetry)
    {
        var start = Stopwatch.GetTimestamp();
        if (!TryReadExplain(request, out var explain, out var explainProblem))
        {
            return explainProblem;
        }

        var (basket, problem) = await JsonBody.ReadAsync(request, FunctionsJsonContext.Default.Basket, Contracts.Basket, MaxBasketBytes);
        if (problem is not null)
        {
            return problem;
        }

        var errors = BasketValidation.Validate(basket);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var model = champion.Current;
        if (model is null)
        {
            return Problems.NoModel(champion.Status.LastError);
        }

        var score = model.Scorer.Score(basket!, explain);
        predictions.Record(basket!, score, model.Version, ScoringTelemetry.SourceApi);
        telemetry.Request(ScoringTelemetry.SourceApi, RequestStats.Since(start), 1, DecisionNames.IsFlagged(score.Decision) ? 1 : 0);
        return TypedResults.Ok(ToResponse(basket!.Id, score, model.Version, explain));
    }

    internal static async Task<Results<Ok<ScoreBatchResponse>, ProblemHttpResult>> ScoreBatchAsync(
        HttpRequest request, IChampionSource champion, IPredictionSink predictions, ScoringTelemetry telemetry)
    {
        var start = Stopwatch.GetTimestamp();
        if (!TryReadExplain(request, out var explain, out var explainProblem))
        {
            return explainProblem;
        }

        var (body, problem) = await JsonBody.ReadAsync(request, FunctionsJsonContext.Default.ScoreBatchRequest, Contracts.ScoreBatch, MaxBatchBytes);
        if (problem is not null)
        {
            return problem;
        }

        var baskets = body!.Baskets;
        if (baskets is null || baskets.Count == 0)
        {
            return Problems.Invalid("baskets", "Send at least one basket.");
        }

        if (baskets.Count > MaxBatchBaskets)
        {
            return Problems.Invalid("baskets", $"At most {MaxBatchBaskets} baskets per request; this one has {baskets.Count}. Queue larger batches.");
        }

        var errors = new List<ValidationError>();
        for (var i = 0; i < baskets.Count; i++)
        {
            foreach (var error in BasketValidation.Validate(baskets[i]))
            {
                errors.Add(error with { Field = error.Field == "basket" ? $"baskets[{i}]" : $"baskets[{i}].{error.Field}" });
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var model = champion.Current;
        if (model is null)
        {
            return Problems.NoModel(champion.Status.LastError);
        }

        // Score every basket before logging any: if one fails, the request fails with nothing recorded, so the
        // client's retry cannot double the baskets scored before it (issue 14, item 1).
        var scores = new BasketScore[baskets.Count];
        for (var i = 0; i < baskets.Count; i++)
        {
            scores[i] = model.Scorer.Score(baskets[i]!, explain);
        }

        var results = new ScoreResponse[baskets.Count];
        var flagged = 0;
        for (var i = 0; i < baskets.Count; i++)
        {
            var basket = baskets[i]!;
            predictions.Record(basket, scores[i], model.Version, ScoringTelemetry.SourceApiBatch);
            flagged += DecisionNames.IsFlagged(scores[i].Decision) ? 1 : 0;
            results[i] = ToResponse(basket.Id, scores[i], model.Version, explain);
        }

        telemetry.Request(ScoringTelemetry.SourceApiBatch, RequestStats.Since(start), baskets.Count, flagged);
        return TypedResults.Ok(new ScoreBatchResponse(model.Version, results.Length, results));
    }

    private static ScoreResponse ToResponse(string id, in BasketScore score, string version, bool explain) =>
        new(id, score.FraudProbability, DecisionNames.Of(score.Decision), version, explain ? score.Reasons : null);

    private static bool TryReadExplain(HttpRequest request, out bool explain, out ProblemHttpResult problem)
    {
        explain = true;
        problem = null!;
        var raw = request.Query[ExplainParameter];
        if (raw.Count == 0)
        {
            return true;
        }

        if (raw.Count == 1 && bool.TryParse(raw[0], out explain))
        {
            return true;
        }

        problem = Problems.Invalid(ExplainParameter, "Use explain=true or explain=false.");
        return false;
    }
}
