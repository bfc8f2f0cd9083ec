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

    public FeaturizerStateDto? Featurizer { get; set; }

    public GbdtModelDto? Trees { get; set; }

    public CalibratorDto? Calibration { get; set; }

    public ModelThresholds? Thresholds { get; set; }
}
