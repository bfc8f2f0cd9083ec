namespace Fraud.Learning;

/// <summary>Precision and recall when every row scoring at least <paramref name="Threshold"/> is flagged.</summary>
public readonly record struct PrecisionRecallPoint(double Threshold, double Precision, double Recall, int Flagged);

/// <summary>An operating point chosen by <see cref="Metrics.TryThresholdForPrecision(ReadOnlySpan{double}, ReadOnlySpan{float}, double, int)"/>.</summary>
public readonly record struct ThresholdChoice(double Threshold, double Precision, double Recall, int Flagged, bool ReachedTarget);
