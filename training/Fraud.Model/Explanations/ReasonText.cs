using System.Globalization;
using Fraud.Baskets;
using Fraud.Model.Features;

namespace Fraud.Model.Explanations;

/// <summary>
/// Turns per-group SHAP sums into reasons a fraud analyst can read, using the basket's own values
/// ("APPLE items in basket: 2 units, £2,398", "3 units of one item"). Only runs when reasons are asked for.
/// </summary>
internal static class ReasonText
{
    public const double Negligible = 1e-4;
    private const int MaxQuotedLength = 60;

    /// <summary>The strongest groups; groups whose |contribution| is at most <paramref name="negligible"/> are left out.</summary>
    public static IReadOnlyList<Reason> Top(BasketFeaturizer featurizer, Basket basket, ReadOnlySpan<float> row, ReadOnlySpan<double> groupSums, int maxReasons, double negligible = Negligible)
    {
        Span<int> order = groupSums.Length <= 512 ? stackalloc int[groupSums.Length] : new int[groupSums.Length];
        var count = 0;
        for (var g = 0; g < groupSums.Length; g++)
        {
            if (Math.Abs(groupSums[g]) > negligible)
            {
                order[count++] = g;
            }
        }

        order = order[..count];
        // Insertion sort by |contribution| (ties by group index) keeps the order deterministic; groups number a few dozen.
        for (var i = 1; i < order.Length; i++)
        {
            var current = order[i];
            var j = i - 1;
            while (j >= 0 && Stronger(current, order[j], groupSums))
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }

        var take = Math.Min(maxReasons, order.Length);
        var reasons = new Reason[take];
        for (var i = 0; i < take; i++)
        {
            var group = featurizer.Groups[order[i]];
            reasons[i] = new Reason(group.Code, Describe(featurizer, group, basket, row), groupSums[order[i]]);
        }

        return reasons;
    }

    private static bool Stronger(int a, int b, ReadOnlySpan<double> sums)
    {
        var difference = Math.Abs(sums[a]) - Math.Abs(sums[b]);
        return difference > 0 || (difference == 0 && a < b);
    }

    private static string Describe(BasketFeaturizer featurizer, FeatureGroup group, Basket basket, ReadOnlySpan<float> row)
    {
        switch (group.Kind)
        {
            case FeatureGroupKind.Amount:
                return $"Basket total {Money(At(featurizer, row, "total_amount"))}, most expensive unit {Money(At(featurizer, row, "max_unit_price"))}";
            case FeatureGroupKind.Size:
                return $"{Count(At(featurizer, row, "line_count"), "line")}, {Count(At(featurizer, row, "unit_count"), "unit")} across {Count(At(featurizer, row, "distinct_categories"), "category", "categories")}";
            case FeatureGroupKind.Quantity:
                var most = At(featurizer, row, "max_quantity");
                return most > 1 ? $"{Number(most)} units of one item" : "One unit of each item";
            case FeatureGroupKind.Extras:
                var extras = new List<string>(3);
                if (At(featurizer, row, "has_fulfilment_charge") > 0)
                {
                    extras.Add("fulfilment charge");
                }

                if (At(featurizer, row, "has_warranty") > 0)
                {
                    extras.Add("warranty");
                }

                if (At(featurizer, row, "has_service") > 0)
                {
                    extras.Add("service");
                }

                return extras.Count == 0 ? "No fulfilment charge, warranty or service lines" : $"Basket includes {string.Join(", ", extras)}";
            case FeatureGroupKind.MissingDetails:
                var missing = At(featurizer, row, "lines_without_make") + At(featurizer, row, "lines_without_model");
                return missing > 0 ? $"{Count(At(featurizer, row, "lines_without_make"), "item")} without make, {Number(At(featurizer, row, "lines_without_model"))} without model" : "Every item has a make and model";
            case FeatureGroupKind.Category:
            case FeatureGroupKind.Make:
                var prefix = group.Kind == FeatureGroupKind.Category ? "category" : "make";
                var label = group.Value == FeatureLayout.OtherValue
                    ? group.Kind == FeatureGroupKind.Category ? "Less common categories" : "Less common makes"
                    : group.Kind == FeatureGroupKind.Category ? group.Value : $"{group.Value} items";
                var units = At(featurizer, row, $"{prefix}_units:{group.Value}");
                return units > 0
                    ? $"{label} in basket: {Count(units, "unit")}, {Money(At(featurizer, row, $"{prefix}_spend:{group.Value}"))}"
                    : $"No {(group.Value == FeatureLayout.OtherValue ? label.ToLowerInvariant() : label)} in basket";
            case FeatureGroupKind.ModelRisk:
                return $"Fraud history of the models bought (riskiest: {Quote(Riskiest(basket, featurizer.ModelTable, static i => i.Model))})";
            case FeatureGroupKind.GoodsCodeRisk:
                return $"Fraud history of the goods codes bought (riskiest: {Quote(Riskiest(basket, featurizer.GoodsCodeTable, static i => i.GoodsCode))})";
            case FeatureGroupKind.ModelWordRisk:
                return $"Words in the model names (riskiest: {Quote(RiskiestWord(basket, featurizer))})";
            case FeatureGroupKind.CategoryRisk:
                return $"Fraud rate of the categories bought (riskiest: {Quote(Riskiest(basket, featurizer.CategoryRiskTable, static i => i.Item, categoryKey: true))})";
            case FeatureGroupKind.MakeRisk:
                return $"Fraud rate of the makes bought (riskiest: {Quote(Riskiest(basket, featurizer.MakeRiskTable, static i => i.Make))})";
            case FeatureGroupKind.LineRisk:
                return $"Items fraud targets, judged line by line (riskiest: {RiskiestLine(basket, featurizer.LineModel)})";
            default:
                return group.Code;
        }
    }

    private static float At(BasketFeaturizer featurizer, ReadOnlySpan<float> row, string name)
    {
        var index = featurizer.IndexOf(name);
        return index < 0 ? 0 : row[index];
    }

    /// <summary>The basket's value of <paramref name="field"/> with the highest fraud rate, as the retailer wrote it.</summary>
    private static string Riskiest(Basket basket, EncodingTable table, Func<BasketItem, string> field, bool categoryKey = false)
    {
        var best = string.Empty;
        var bestRisk = double.MinValue;
        Span<char> buffer = stackalloc char[TextKeys.MaxKeyLength];
        foreach (var item in basket.Items)
        {
            var value = field(item) ?? string.Empty;
            var key = categoryKey ? buffer[..TextKeys.NormalizeCategory(value, buffer)] : TextKeys.Trim(value);
            var risk = table.RiskOf(key, out _);
            if (risk > bestRisk)
            {
                (best, bestRisk) = (value.Trim(), risk);
            }
        }

        return best;
    }

    private static string RiskiestLine(Basket basket, LineRiskModel model)
    {
        BasketItem? best = null;
        var bestScore = double.MinValue;
        foreach (var item in basket.Items)
        {
            var score = model.LineScore(item);
            if (score > bestScore)
            {
                (best, bestScore) = (item, score);
            }
        }

        if (best is null)
        {
            return Quote(string.Empty);
        }

        // Make, model and goods code are optional (BasketItem reads an absent one as empty): a line without a model is
        // named by its category.
        var modelName = best.Model.Trim();
        var name = modelName.Length > 0 ? modelName : best.Item.Trim();
        return best.Quantity > 1 ? $"{Quote(name)} × {best.Quantity}" : Quote(name);
    }

    private static string RiskiestWord(Basket basket, BasketFeaturizer featurizer)
    {
        var best = string.Empty;
        var bestRisk = double.MinValue;
        foreach (var item in basket.Items)
        {
            var model = TextKeys.Trim(item.Model);
            var position = 0;
            while (TextKeys.NextToken(model, ref position, featurizer.MinTokenLength, out var word))
            {
                var risk = featurizer.ModelWordTable.RiskOf(word, out _);
                if (risk > bestRisk)
                {
                    (best, bestRisk) = (word.ToString(), risk);
                }
            }
        }

        return best;
    }

    private static string Quote(string value) =>
        value.Length == 0 ? "none given" : value.Length <= MaxQuotedLength ? $"'{value}'" : $"'{value[..(MaxQuotedLength - 1)]}…'";

    private static string Money(float amount) => "£" + amount.ToString("N0", CultureInfo.InvariantCulture);

    private static string Number(float value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Count(float value, string singular, string? plural = null) =>
        $"{Number(value)} {(value == 1 ? singular : plural ?? singular + "s")}";
}
