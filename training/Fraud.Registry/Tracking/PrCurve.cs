namespace Fraud.Registry;

/// <summary>A precision-recall curve saved with a run (artifact <c>pr_curve.json</c>) so runs can be compared.</summary>
public sealed record PrCurve(List<PrPoint> Points)
{
    public const string ArtifactName = "pr_curve.json";
}

/// <summary>One point of a precision-recall curve.</summary>
public sealed record PrPoint(double Recall, double Precision);
