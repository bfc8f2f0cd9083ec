using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fraud.Model.Drift;

/// <summary>
/// The outcome of one drift check: the score's PSI, per-feature PSI (and KS for numbers), the dataset-drift
/// verdict and the fraud rate against the expected one. Serialised as camelCase JSON (<see cref="ToJson"/>).
/// </summary>
public sealed class DriftReport
{
    /// <summary>Name used for the score's entry and on the <c>fraud.drift.psi</c> metric.</summary>
    public const string ScoreFeatureName = "score";

    public DateTimeOffset GeneratedAt { get; set; }

    /// <summary>What was compared: a prediction-log window or a file (no basket contents).</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>The model version whose reference profile was used.</summary>
    public string? ModelVersion { get; set; }

    public int ReferenceRows { get; set; }

    public int CurrentRows { get; set; }

    /// <summary><see cref="DatasetDriftBasis"/> when dataset drift is judged over the input signals.</summary>
    public const string InputsBasis = "inputs";

    /// <summary><see cref="DatasetDriftBasis"/> for an old card without input profile: judged over model features.</summary>
    public const string FeaturesBasis = "model-features";

    /// <summary>
    /// True exactly when <see cref="Verdict"/> is <c>alert</c> (the CLI contract of <c>fraud drift --json</c>): the
    /// population the model scores has moved. <see cref="InputShareDrift"/> is the older share-of-columns rule alone.
    /// </summary>
    public bool DatasetDrift { get; set; }

    /// <summary>Same as <see cref="DatasetDrift"/>: the DriftAlert condition (and a retraining trigger).</summary>
    public bool Alert { get; set; }

    /// <summary>
    /// <c>alert</c>: the window's baskets differ from the training data beyond what sampling explains at the alert
    /// false-alarm rate (classifier test), or half of the input signals or of the model's importance drifted, or the
    /// score moved by an alert-level PSI. <c>warn</c>: the classifier test at the warning rate, or any input signal,
    /// model feature or the score drifted. Otherwise <c>ok</c>; a window too small to tell is always <c>ok</c>.
    /// </summary>
    public string Verdict { get; set; } = DriftStatus.Ok;

    /// <summary>The verdict's reason in one sentence a fraud team can act on ("product mix moved: ...; prices +15 %").</summary>
    public string Reason { get; set; } = string.Empty;

    /// <summary>The same as <see cref="Verdict"/> (kept for readers of earlier reports).</summary>
    public string Status { get; set; } = DriftStatus.Ok;

    /// <summary>The classifier two-sample test; null when the card has no reference sample or the window is too small.</summary>
    public ClassifierTestResult? Classifier { get; set; }

    /// <summary>At least <see cref="DatasetDriftShare"/> of the columns of <see cref="DatasetDriftBasis"/> drifted.</summary>
    public bool InputShareDrift { get; set; }

    /// <summary>
    /// Share of the model's importance (mean |SHAP| on test rows, from the card) carried by drifted model features:
    /// 20 sparse columns that drifted matter less than the one the model leans on. Null without importance in the card.
    /// </summary>
    public double? DriftedImportanceShare { get; set; }

    /// <summary>Drifted model features over all model features: the plain share beside <see cref="DriftedImportanceShare"/>.</summary>
    public double DriftedFeatureShare { get; set; }

    /// <summary>True when <see cref="Status"/> is not <c>ok</c>: the window differs from the training data.</summary>
    public bool Flagged { get; set; }

    /// <summary>PSI of the score distribution.</summary>
    public double ScorePsi { get; set; }

    public string ScoreStatus { get; set; } = DriftStatus.Ok;

    /// <summary>Model features whose PSI reached the drift threshold.</summary>
    public int DriftedFeatures { get; set; }

    public int FeatureCount { get; set; }

    /// <summary>Input signals whose PSI reached the drift threshold.</summary>
    public int DriftedInputs { get; set; }

    public int InputCount { get; set; }

    /// <summary>What <see cref="DriftedShare"/> counts: <c>inputs</c>, or <c>model-features</c> for a card without input profile.</summary>
    public string DatasetDriftBasis { get; set; } = InputsBasis;

    /// <summary>Share of drifted columns of <see cref="DatasetDriftBasis"/>, compared with <see cref="DatasetDriftShare"/>.</summary>
    public double DriftedShare { get; set; }

    public double DatasetDriftShare { get; set; }

    /// <summary>Mean score on the reference data: the fraud rate the model expects.</summary>
    public double ExpectedFraudRate { get; set; }

    /// <summary>Mean fraud probability of the current baskets.</summary>
    public double ObservedFraudRate { get; set; }

    /// <summary>Fraud rate among current baskets that already have a label, when any do.</summary>
    public double? LabelledFraudRate { get; set; }

    public int LabelledRows { get; set; }

    /// <summary>Things the reader should know (a small window, a feature schema mismatch).</summary>
    public List<string> Warnings { get; set; } = [];

    /// <summary>The score's distribution, compared bin by bin.</summary>
    public FeatureDrift Score { get; set; } = new();

    /// <summary>Every model feature distribution, highest PSI first (with an old card, also item category and make).</summary>
    public List<FeatureDrift> Features { get; set; } = [];

    /// <summary>The basket-level input signals dataset drift is judged on, highest PSI first.</summary>
    public List<FeatureDrift> Inputs { get; set; } = [];

    /// <summary>Serialises the report as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, DriftJsonContext.Default.DriftReport);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    public static DriftReport FromJson(string json) =>
        JsonSerializer.Deserialize(json, DriftJsonContext.Default.DriftReport) ?? throw new InvalidDataException("The drift report is empty.");
}

/// <summary>One compared distribution: a model feature, an input signal or the score.</summary>
public sealed class FeatureDrift
{
    public string Name { get; set; } = string.Empty;

    /// <summary><c>numeric</c> (model feature), <c>input</c> (numeric input signal), <c>categorical</c>, <c>novelty</c> or <c>score</c>.</summary>
    public string Kind { get; set; } = string.Empty;

    public double Psi { get; set; }

    /// <summary>Largest CDF gap on the reference percentile grid (numbers only).</summary>
    public double? Ks { get; set; }

    /// <summary>Asymptotic two-sample p-value of <see cref="Ks"/>; with thousands of rows even a harmless shift is "significant", so PSI decides.</summary>
    public double? KsPValue { get; set; }

    public string Status { get; set; } = DriftStatus.Ok;

    /// <summary>PSI two same-population samples of these sizes show on average, (bins − 1)·(1/n_ref + 1/n_cur); thresholds apply above it.</summary>
    public double ExpectedPsi { get; set; }

    /// <summary>How far the PSI is beyond sampling noise, in standard normal units (n_eff·PSI against χ²(bins − 1)).</summary>
    public double Z { get; set; }

    /// <summary>Mean of the reference values (numbers), when the profile keeps it.</summary>
    public double? ReferenceMean { get; set; }

    /// <summary>Mean of the current values (numbers).</summary>
    public double? CurrentMean { get; set; }

    /// <summary>True when the PSI, above <see cref="ExpectedPsi"/>, reached the feature-drift threshold and is beyond sampling noise.</summary>
    public bool Drifted { get; set; }

    /// <summary>Bin labels, for charts.</summary>
    public string[] Bins { get; set; } = [];

    /// <summary>Reference share per bin.</summary>
    public double[] Reference { get; set; } = [];

    /// <summary>Current share per bin.</summary>
    public double[] Current { get; set; } = [];
}

/// <summary>Source-generated JSON for the drift types (camelCase, indented), also usable for the reference profile inside a card.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(DriftReport))]
[JsonSerializable(typeof(ReferenceProfile))]
public sealed partial class DriftJsonContext : JsonSerializerContext;
