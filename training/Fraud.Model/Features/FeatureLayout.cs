namespace Fraud.Model.Features;

/// <summary>Names every feature and assigns it to a readable group, in the order <see cref="BasketFeaturizer.Featurize"/> writes them.</summary>
internal static class FeatureLayout
{
    /// <summary>Key of the pooled vocabulary slot (values too rare to get their own).</summary>
    public const string OtherValue = "(other)";

    private static readonly (string Name, FeatureGroupKind Group)[] Aggregates =
    [
        ("total_amount", FeatureGroupKind.Amount),
        ("line_count", FeatureGroupKind.Size),
        ("unit_count", FeatureGroupKind.Size),
        ("max_unit_price", FeatureGroupKind.Amount),
        ("min_unit_price", FeatureGroupKind.Amount),
        ("mean_unit_price", FeatureGroupKind.Amount),
        ("std_unit_price", FeatureGroupKind.Amount),
        ("top_line_amount", FeatureGroupKind.Amount),
        ("top_line_share", FeatureGroupKind.Size),
        ("distinct_categories", FeatureGroupKind.Size),
        ("distinct_makes", FeatureGroupKind.Size),
        ("distinct_goods_codes", FeatureGroupKind.Size),
        ("repeated_goods_code_lines", FeatureGroupKind.Quantity),
        ("max_quantity", FeatureGroupKind.Quantity),
        ("multi_unit_lines", FeatureGroupKind.Quantity),
        ("has_fulfilment_charge", FeatureGroupKind.Extras),
        ("has_warranty", FeatureGroupKind.Extras),
        ("has_service", FeatureGroupKind.Extras),
        ("extras_amount", FeatureGroupKind.Extras),
        ("lines_without_make", FeatureGroupKind.MissingDetails),
        ("lines_without_model", FeatureGroupKind.MissingDetails),
        // Line-price bands at quantiles of the training rows' line prices (PriceBands), named by quantile.
        ("lines_price_p0_p10", FeatureGroupKind.Amount),
        ("lines_price_p10_p25", FeatureGroupKind.Amount),
        ("lines_price_p25_p45", FeatureGroupKind.Amount),
        ("lines_price_p45_p70", FeatureGroupKind.Amount),
        ("lines_price_p70_p90", FeatureGroupKind.Amount),
        ("lines_price_p90_plus", FeatureGroupKind.Amount),
        ("top_category_share", FeatureGroupKind.Size),
        ("max_quantity_price_p25_plus", FeatureGroupKind.Quantity),
        ("max_quantity_price_p55_plus", FeatureGroupKind.Quantity),
    ];

    private static readonly (string Name, FeatureGroupKind Group)[] Risks =
    [
        ("model_risk_max", FeatureGroupKind.ModelRisk),
        ("model_risk_mean", FeatureGroupKind.ModelRisk),
        ("model_risk_spend_weighted", FeatureGroupKind.ModelRisk),
        ("model_seen_log_count_min", FeatureGroupKind.ModelRisk),
        ("model_unseen_lines", FeatureGroupKind.ModelRisk),
        ("goods_code_risk_max", FeatureGroupKind.GoodsCodeRisk),
        ("goods_code_risk_mean", FeatureGroupKind.GoodsCodeRisk),
        ("goods_code_risk_spend_weighted", FeatureGroupKind.GoodsCodeRisk),
        ("goods_code_seen_log_count_min", FeatureGroupKind.GoodsCodeRisk),
        ("goods_code_unseen_lines", FeatureGroupKind.GoodsCodeRisk),
        ("model_word_risk_max", FeatureGroupKind.ModelWordRisk),
        ("model_word_risk_mean", FeatureGroupKind.ModelWordRisk),
        ("model_word_known_share", FeatureGroupKind.ModelWordRisk),
        ("category_risk_max", FeatureGroupKind.CategoryRisk),
        ("category_risk_spend_weighted", FeatureGroupKind.CategoryRisk),
        ("make_risk_max", FeatureGroupKind.MakeRisk),
        ("make_risk_spend_weighted", FeatureGroupKind.MakeRisk),
        ("risk_weighted_spend", FeatureGroupKind.ModelRisk),
        ("risky_lines_spend_share", FeatureGroupKind.ModelRisk),
        ("riskiest_line_quantity", FeatureGroupKind.Quantity),
        ("riskiest_line_amount", FeatureGroupKind.ModelRisk),
        ("repeated_units_amount", FeatureGroupKind.Quantity),
        ("max_units_times_risk", FeatureGroupKind.Quantity),
        ("risky_lines", FeatureGroupKind.ModelRisk),
        ("risky_units", FeatureGroupKind.ModelRisk),
        ("risky_lines_amount", FeatureGroupKind.ModelRisk),
        ("line_model_score", FeatureGroupKind.LineRisk),
        ("line_model_riskiest_line", FeatureGroupKind.LineRisk),
        ("line_model_second_line", FeatureGroupKind.LineRisk),
        ("line_model_spread", FeatureGroupKind.LineRisk),
    ];

    /// <summary>
    /// Layout 3's names of the eight price-band features, in the same positions: a model registered before the bands
    /// moved to quantiles (layout 4) keeps loading, with the fixed bands it was trained on (<see cref="PriceBands.Legacy"/>).
    /// </summary>
    private static readonly Dictionary<string, string> Layout3Names = new(StringComparer.Ordinal)
    {
        ["lines_price_p0_p10"] = "lines_price_under_25",
        ["lines_price_p10_p25"] = "lines_price_25_100",
        ["lines_price_p25_p45"] = "lines_price_100_300",
        ["lines_price_p45_p70"] = "lines_price_300_800",
        ["lines_price_p70_p90"] = "lines_price_800_1500",
        ["lines_price_p90_plus"] = "lines_price_1500_plus",
        ["max_quantity_price_p25_plus"] = "max_quantity_price_100_plus",
        ["max_quantity_price_p55_plus"] = "max_quantity_price_500_plus",
    };

    public static (string[] Names, FeatureGroup[] Groups, int[] GroupOf) Build(string[] categories, string[] makes, int featureCount, int layoutVersion = BasketFeaturizer.CurrentVersion)
    {
        var names = new List<string>(featureCount);
        var groups = new List<FeatureGroup>();
        var groupOf = new List<int>(featureCount);
        var byKind = new Dictionary<FeatureGroupKind, int>();

        int Shared(FeatureGroupKind kind)
        {
            if (!byKind.TryGetValue(kind, out var g))
            {
                g = groups.Count;
                groups.Add(new FeatureGroup(kind.ToString().ToLowerInvariant(), kind, string.Empty));
                byKind[kind] = g;
            }

            return g;
        }

        void PerValue(string prefix, FeatureGroupKind kind, string[] values)
        {
            foreach (var value in values.Append(OtherValue))
            {
                var g = groups.Count;
                groups.Add(new FeatureGroup($"{prefix}:{value}", kind, value));
                names.Add($"{prefix}_units:{value}");
                names.Add($"{prefix}_spend:{value}");
                groupOf.Add(g);
                groupOf.Add(g);
            }
        }

        foreach (var (name, kind) in Aggregates)
        {
            names.Add(layoutVersion == 3 && Layout3Names.TryGetValue(name, out var legacy) ? legacy : name);
            groupOf.Add(Shared(kind));
        }

        PerValue("category", FeatureGroupKind.Category, categories);
        PerValue("make", FeatureGroupKind.Make, makes);

        foreach (var (name, kind) in Risks)
        {
            names.Add(name);
            groupOf.Add(Shared(kind));
        }

        // Layout 5: the lines priced below each decile of the training line prices, after everything layout 4 writes,
        // so every earlier feature keeps its position.
        if (layoutVersion >= 5)
        {
            for (var d = 1; d <= PriceBands.Deciles; d++)
            {
                names.Add($"lines_price_below_p{d * 10}");
                groupOf.Add(Shared(FeatureGroupKind.Amount));
            }
        }

        if (names.Count != featureCount)
        {
            throw new InvalidOperationException($"Feature layout has {names.Count} names for {featureCount} features.");
        }

        return ([.. names], [.. groups], [.. groupOf]);
    }
}
