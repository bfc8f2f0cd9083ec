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

    /// <summary>True when at least <see cref="DatasetDriftShare"/> of the input signals (see <see cref="DatasetDriftBasis"/>) drifted.</summary>
    public bool DatasetDrift { get; set; }

    /// <summary>True when the dataset drifted or the score's PSI reached the alert level: the DriftAlert condition.</summary>
    public bool Alert { get; set; }

    /// <summary>
    /// The overall reading: <c>alert</c> when <see cref="Alert"/>; <c>warn</c> when the score or at least one feature
    /// reached its drift threshold (a shift worth a look, below the alert level); otherwise <c>ok</c>.
    /// </summary>
    public string Status { get; set; } = DriftStatus.Ok;

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

    /// <summary>Mean predicted fraud probability of the current baskets (a model output, not an observed fraud rate).</summary>
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

    /// <summary>True when the PSI reached the feature-drift threshold.</summary>
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
