namespace Fraud.Model.Features;

/// <summary>What a group of features describes; explanations sum contributions per group.</summary>
public enum FeatureGroupKind
{
    Amount,
    Size,
    Quantity,
    Extras,
    MissingDetails,
    Category,
    Make,
    ModelRisk,
    GoodsCodeRisk,
    ModelWordRisk,
    CategoryRisk,
    MakeRisk,
    LineRisk,
}

/// <summary>
/// A set of features that a person reads as one thing ("APPLE items", "basket total").
/// <paramref name="Value"/> is the category or make for the per-value groups, empty otherwise.
/// </summary>
public sealed record FeatureGroup(string Code, FeatureGroupKind Kind, string Value);
