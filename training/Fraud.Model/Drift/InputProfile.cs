using Fraud.Baskets;

namespace Fraud.Model.Drift;

/// <summary>
/// The reference distributions of a dozen basket-level input signals (what shoppers put in baskets, and at what
/// prices), over which dataset drift is judged. Model features are many sparse per-category columns that barely
/// move when the population changes, so judging the dataset on them hides a real shift; these inputs do not.
/// </summary>
public sealed class InputProfile
{
    /// <summary>Numeric signals, in <see cref="InputSignals.NumericNames"/> order.</summary>
    public List<NumericProfile> Numeric { get; set; } = [];

    /// <summary>Per-line categorical signals: item category and make, top-K plus "other".</summary>
    public List<CategoricalProfile> Categorical { get; set; } = [];

    /// <summary>Share of lines whose goods code the reference never saw.</summary>
    public NoveltyProfile? GoodsCodes { get; set; }

    /// <summary>Log unit prices per top item category, for the like-for-like price change; null in older cards.</summary>
    public PriceProfile? Prices { get; set; }

    /// <summary>Profiles the input signals of <paramref name="baskets"/>.</summary>
    public static InputProfile Build(IReadOnlyList<Basket> baskets, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(options);
        var profile = new InputProfile();
        var signals = InputSignals.Compute(baskets);
        for (var s = 0; s < InputSignals.NumericNames.Length; s++)
        {
            profile.Numeric.Add(NumericProfile.Build(InputSignals.NumericNames[s], signals.Column(s), options.NumericBins));
        }

        var categories = CategoricalProfile.Build(CategoricalProfile.ItemCategory, baskets, options.TopCategories);
        profile.Categorical.Add(categories);
        profile.Prices = PriceProfile.Build(baskets, categories.Values);
        profile.Categorical.Add(CategoricalProfile.Build(CategoricalProfile.Make, baskets, options.TopCategories));
        profile.GoodsCodes = NoveltyProfile.Build(InputSignals.GoodsCodeUnseen, baskets, options.MaxKnownValues);
        return profile;
    }
}
