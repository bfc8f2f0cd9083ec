namespace Fraud.Monitoring;

/// <summary>
/// The truth about one basket, learnt after it was scored (a chargeback, a confirmed fraud, a repaid loan).
/// Labels join predictions on <see cref="Id"/>; a label may arrive before its prediction is found.
/// </summary>
/// <param name="Id">The basket id, as scored.</param>
/// <param name="FraudFlag">True when the basket was fraud.</param>
/// <param name="Source">Who reported it (for example <c>api</c>, <c>chargebacks</c>).</param>
/// <param name="ObservedAt">When the truth became known; the newest label for an id wins.</param>
public sealed record FraudLabel(string Id, bool FraudFlag, string Source, DateTimeOffset ObservedAt);
