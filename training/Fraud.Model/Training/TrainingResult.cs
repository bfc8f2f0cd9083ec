using Fraud.Learning;

namespace Fraud.Model;

/// <summary>A trained model, its card, its HTML report and the per-round learning curve.</summary>
public sealed class TrainingResult
{
    public required FraudModel Model { get; init; }

    public required ModelCard Card { get; init; }

    /// <summary>Self-contained HTML (inline SVG charts, no external assets).</summary>
    public required string ReportHtml { get; init; }

    public required IReadOnlyList<BoostingRound> LearningCurve { get; init; }

    /// <summary>The logistic-regression baseline (not saved with the model), for comparisons on other data.</summary>
    public required BaselineModel Baseline { get; init; }

    /// <summary>Calibrated probabilities of the test part (the card's metrics), for a run's PR curve; empty when not kept.</summary>
    public double[] TestProbabilities { get; init; } = [];

    /// <summary>Labels of the test part, in the order of <see cref="TestProbabilities"/>.</summary>
    public bool[] TestLabels { get; init; } = [];
}

/// <summary>Where a training run is: a stage name, a human-readable detail and, when known, the fraction done (0–1).</summary>
public sealed record TrainingProgress(string Stage, string Detail, double? Fraction = null);
