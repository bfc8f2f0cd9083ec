namespace Fraud.Model;

/// <summary>What the lender should do with an application, from the fraud probability and the model's thresholds.</summary>
public enum Decision
{
    Approve,
    Review,
    Decline,
}

/// <summary>
/// One readable reason behind a score: a group of features (for example every APPLE feature) and the sum of their
/// TreeSHAP contributions in log-odds; positive pushes towards fraud.
/// </summary>
/// <param name="Code">Stable machine code of the group, such as <c>make:APPLE</c> or <c>amount</c>.</param>
/// <param name="Description">The group described for this basket, such as "APPLE items in basket: 2 units, £2,400".</param>
/// <param name="Contribution">Log-odds added to the raw score by this group.</param>
public sealed record Reason(string Code, string Description, double Contribution);

/// <summary>The result of scoring one basket.</summary>
/// <param name="FraudProbability">Calibrated probability that the basket is fraudulent.</param>
/// <param name="Decision">Approve, review or decline by the model's thresholds.</param>
/// <param name="Reasons">The strongest reasons, largest absolute contribution first (empty when not asked for).</param>
public sealed record ScoreResult(double FraudProbability, Decision Decision, IReadOnlyList<Reason> Reasons);

/// <summary>Operating thresholds on the calibrated probability: at or above <see cref="Review"/> review, at or above <see cref="Decline"/> decline.</summary>
public sealed record ModelThresholds(double Review, double Decline)
{
    public Decision Decide(double probability) =>
        probability >= Decline ? Decision.Decline : probability >= Review ? Decision.Review : Decision.Approve;
}

/// <summary>
/// A full explanation of one score: the raw score (log-odds) is <see cref="BaseValue"/> plus the sum of
/// <see cref="FeatureContributions"/>, and equally the base value plus the sum of every reason's contribution.
/// </summary>
public sealed record Explanation(
    string BasketId,
    double FraudProbability,
    Decision Decision,
    double RawScore,
    double BaseValue,
    IReadOnlyList<Reason> Reasons,
    IReadOnlyList<double> FeatureContributions);
