using System.Text.Json;
using Fraud.Model.Artifact;
using Fraud.Model.Drift;

namespace Fraud.Model;

/// <summary>
/// What a person (or the promotion gate) needs to know about a trained model: how well it does on held-out data,
/// against the baseline, with which parameters, on which data, and what the training data looked like (drift reference).
/// Serialised as snake_case JSON beside the model (<c>card.json</c>).
/// </summary>
public sealed class ModelCard
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>The <see cref="FraudModel.ModelId"/> this card describes.</summary>
    public string ModelId { get; set; } = string.Empty;

    public DateTimeOffset TrainedAt { get; set; }

    public string Algorithm { get; set; } = "gradient-boosted trees (histogram), TreeSHAP reasons";

    /// <summary>Metrics of the calibrated model on the held-out test rows.</summary>
    public EvaluationMetrics Metrics { get; set; } = new();

    /// <summary>The logistic-regression baseline on the same features and rows.</summary>
    public EvaluationMetrics BaselineMetrics { get; set; } = new();

    /// <summary>Every training parameter, as <c>--param key=value</c> accepts it.</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    /// <summary>SHA-256 (hex) over the canonical basket data and labels the model was trained on.</summary>
    public string DataFingerprint { get; set; } = string.Empty;

    /// <summary>Baskets given to training (all splits together).</summary>
    public int Rows { get; set; }

    /// <summary>Rows only ever learnt from (with several members: rows in no member's validation fold).</summary>
    public int TrainingRows { get; set; }

    /// <summary>
    /// Rows that chose the tree count, the thresholds and (without a calibration part) the calibration; with several
    /// members, the rows of every member's validation fold, each scored by the member that did not learn from it.
    /// </summary>
    public int ValidationRows { get; set; }

    public int CalibrationRows { get; set; }

    public int TestRows { get; set; }

    /// <summary>
    /// Why a decision threshold is weaker than asked: its precision target was out of reach on validation, it rests on
    /// too few frauds, or it catches no fraud on the test split. Empty when the thresholds are what was asked for.
    /// </summary>
    public List<string> ThresholdWarnings { get; set; } = [];

    /// <summary>Share of fraudulent baskets among all rows given.</summary>
    public double FraudRate { get; set; }

    public int TreeCount { get; set; }

    public int FeatureCount { get; set; }

    public string Calibration { get; set; } = string.Empty;

    public ModelThresholds Thresholds { get; set; } = new(0.5, 0.9);

    /// <summary>Features by mean |SHAP| on test rows, most important first, with split gain beside it.</summary>
    public List<FeatureImportance> Importance { get; set; } = [];

    /// <summary>Readable feature groups by mean |SHAP|, most important first.</summary>
    public List<FeatureImportance> GroupImportance { get; set; } = [];

    public double TrainingSeconds { get; set; }

    /// <summary>Distribution of the training data, the reference for drift checks.</summary>
    public ReferenceProfile? Reference { get; set; }

    /// <summary>Registry lineage; filled when the model is registered.</summary>
    public ModelLineage Lineage { get; set; } = new();

    public static ModelCard Load(Stream utf8Json) => Check(ArtifactJson.Read(utf8Json, ModelJsonContext.Default.ModelCard, "The model card"));

    public static ModelCard FromJson(ReadOnlySpan<byte> utf8Json) => Check(ArtifactJson.Read(utf8Json, ModelJsonContext.Default.ModelCard, "The model card"));

    /// <summary>Indented UTF-8 JSON (the card is read by people as well as by the registry).</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, IndentedJsonContext.Default.ModelCard);

    private static ModelCard Check(ModelCard? card)
    {
        if (card is null)
        {
            throw new ModelFormatException("The model card is empty.");
        }

        if (card.SchemaVersion != CurrentSchemaVersion)
        {
            throw new ModelFormatException($"The model card has schema version {card.SchemaVersion}; this build reads version {CurrentSchemaVersion}.");
        }

        return card;
    }
}

/// <summary>Where a registered model came from.</summary>
public sealed class ModelLineage
{
    public string? Version { get; set; }

    public string? ParentVersion { get; set; }

    public string? RunId { get; set; }

    public string? CodeVersion { get; set; }
}

/// <summary>One feature's (or feature group's) global importance.</summary>
public sealed record FeatureImportance(string Feature, string Group, double MeanAbsShap, double Gain);

/// <summary>Ranking and calibration quality on labelled baskets, and precision/recall at each operating threshold.</summary>
public sealed class EvaluationMetrics
{
    public int Rows { get; set; }

    public int Frauds { get; set; }

    /// <summary>Average precision: area under the precision-recall curve, the measure that matters for a rare class.</summary>
    public double PrAuc { get; set; }

    public double RocAuc { get; set; }

    public double LogLoss { get; set; }

    public double Brier { get; set; }

    public List<ThresholdMetrics> Thresholds { get; set; } = [];
}

/// <summary>What one operating threshold does on labelled baskets.</summary>
public sealed class ThresholdMetrics
{
    /// <summary><c>review</c> or <c>decline</c>.</summary>
    public string Name { get; set; } = string.Empty;

    public double Threshold { get; set; }

    public double Precision { get; set; }

    public double Recall { get; set; }

    public double F1 { get; set; }

    /// <summary>Share of baskets at or above the threshold.</summary>
    public double FlaggedShare { get; set; }
}
