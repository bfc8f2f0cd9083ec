using System.Text.Json.Serialization;
using Fraud.Learning;
using Fraud.Model.Features;

namespace Fraud.Model.Artifact;

/// <summary>
/// The model file (<c>model.json</c>): everything scoring needs and nothing else. The feature-schema hash covers
/// the layout version and every feature name, so a file whose featurizer state and trees disagree is refused.
/// </summary>
public sealed class ModelArtifactDto
{
    public int SchemaVersion { get; set; }

    public string ModelId { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public string[] FeatureNames { get; set; } = [];

    public string FeatureSchemaHash { get; set; } = string.Empty;

    /// <summary>The members whose log-odds are averaged (schema version 2).</summary>
    public ModelMemberDto[]? Members { get; set; }

    /// <summary>Schema version 1 only: the single featurizer (version 2 writes <see cref="Members"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FeaturizerStateDto? Featurizer { get; set; }

    /// <summary>Schema version 1 only: the single tree ensemble.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GbdtModelDto? Trees { get; set; }

    public CalibratorDto? Calibration { get; set; }

    public ModelThresholds? Thresholds { get; set; }
}

/// <summary>One member of the model file: featurizer state and the trees trained on its features.</summary>
public sealed class ModelMemberDto
{
    public FeaturizerStateDto? Featurizer { get; set; }

    public GbdtModelDto? Trees { get; set; }
}
