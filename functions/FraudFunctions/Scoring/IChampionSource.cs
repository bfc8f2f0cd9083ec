using Fraud.Baskets;
using Fraud.Model;

namespace FraudFunctions.Scoring;

/// <summary>
/// The model the handler serves. The production implementation wraps the registry's champion provider; the seam keeps
/// the HTTP layer independent of how models are trained and loaded.
/// </summary>
public interface IChampionSource
{
    /// <summary>The loaded champion, or null while none is loaded (the API then answers 503).</summary>
    ChampionSnapshot? Current { get; }

    /// <summary>Loading state for health checks.</summary>
    ChampionStatus Status { get; }
}

/// <summary>An immutable view of one loaded model version.</summary>
public sealed record ChampionSnapshot(string Version, IBasketScorer Scorer, ModelSummary Summary, DateTimeOffset LoadedAt);

/// <summary>Scores one basket; must be thread-safe.</summary>
public interface IBasketScorer
{
    BasketScore Score(Basket basket, bool explain);
}

/// <summary>The model's answer for one basket.</summary>
public readonly record struct BasketScore(double FraudProbability, Decision Decision, IReadOnlyList<Reason> Reasons);

/// <summary>The API's lower-case decision names, without allocating per request.</summary>
public static class DecisionNames
{
    public const string Approve = "approve";
    public const string Review = "review";
    public const string Decline = "decline";

    public static string Of(Decision decision) => decision switch
    {
        Decision.Approve => Approve,
        Decision.Review => Review,
        _ => Decline,
    };

    /// <summary>Review and decline both mean a person or a rule must look at the application.</summary>
    public static bool IsFlagged(Decision decision) => decision != Decision.Approve;
}

/// <summary>How far loading the champion has got; <see cref="LastError"/> never holds a secret.</summary>
public sealed record ChampionStatus(string State, string? LastError, DateTimeOffset? LastCheck);
