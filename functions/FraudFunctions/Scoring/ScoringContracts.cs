namespace FraudFunctions.Scoring;

/// <summary>The answer of <c>POST /api/score</c> and one element of a batch answer.</summary>
public sealed record ScoreResponse(string Id, double FraudProbability, string Decision, string ModelVersion, IReadOnlyList<Fraud.Model.Reason>? Reasons);

/// <summary>The body of <c>POST /api/score/batch</c>.</summary>
public sealed record ScoreBatchRequest(IReadOnlyList<Fraud.Baskets.Basket?>? Baskets);

/// <summary>The answer of <c>POST /api/score/batch</c>: results in the order the baskets were sent.</summary>
public sealed record ScoreBatchResponse(string ModelVersion, int Count, IReadOnlyList<ScoreResponse> Results);

/// <summary>
/// The champion's card summary served by <c>GET /api/model</c>: <c>trainingRows</c> counts every basket given to
/// training; <c>metrics</c> come from the <c>testRows</c> baskets of its own test split (<c>metricsMeasuredOn</c>).
/// </summary>
public sealed record ModelSummary(
    string Name,
    string Version,
    DateTimeOffset? TrainedAt,
    int? TrainingRows,
    double? FraudRate,
    IReadOnlyDictionary<string, double> Metrics,
    double ReviewThreshold,
    double DeclineThreshold,
    int FeatureCount,
    string? ParentVersion,
    string? RunId,
    int? TestRows,
    string MetricsMeasuredOn);
