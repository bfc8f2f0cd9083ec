using System.Globalization;
using Fraud.Baskets;
using Fraud.Model.Features;

namespace Fraud.Model.Explanations;

/// <summary>
/// Turns per-group SHAP sums into reasons a fraud analyst can read, using the basket's own values
/// ("APPLE items in basket: 2 units, £2,398", "3 units of one item"). Only runs when reasons are asked for.
/// </summary>
/// <remarks>
/// Sixth round (2026-12-02): a profile of the handler under load with reasons put this class and what it called at
/// about 7 % of the handler's samples, as much as the request's JSON: the riskiest line's line-model score recomputed
/// for every line, every model name tokenised and looked up again, each feature found by a name built as a string,
/// and several intermediate strings per reason. Now the featurizer hands over what it found per line
/// (<see cref="LineFacts"/>), the feature indices are looked up once per featurizer (<see cref="ReasonIndices"/>), and
/// each description is formatted once into a stack buffer. The texts are the same as before, character for character.
/// </remarks>
internal static class ReasonText
{
    public const double Negligible = 1e-4;
    private const int MaxQuotedLength = 60;

    private static readonly string[] ExtrasTexts = BuildExtrasTexts();

    /// <summary>
    /// The strongest groups; groups whose |contribution| is at most <paramref name="negligible"/> are left out.
    /// <paramref name="lines"/> holds the featurizer's facts of each of the basket's lines.
    /// </summary>
    public static IReadOnlyList<Reason> Top(BasketFeaturizer featurizer, Basket basket, ReadOnlySpan<float> row, ReadOnlySpan<LineFacts> lines, ReadOnlySpan<double> groupSums, int maxReasons, double negligible = Negligible)
    {
        if (lines.Length < basket.Items.Count)
        {
            throw new ArgumentException($"Facts of {basket.Items.Count} lines are needed, got {lines.Length}.", nameof(lines));
        }

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
        var indices = featurizer.ReasonIndices;
        lines = lines[..basket.Items.Count];
        for (var i = 0; i < take; i++)
        {
            var g = order[i];
            reasons[i] = new Reason(featurizer.Groups[g].Code, Describe(featurizer, indices, g, basket, row, lines), groupSums[g]);
        }

        return reasons;
    }

    private static bool Stronger(int a, int b, ReadOnlySpan<double> sums)
    {
        var difference = Math.Abs(sums[a]) - Math.Abs(sums[b]);
        return difference > 0 || (difference == 0 && a < b);
    }

    private static string Describe(BasketFeaturizer featurizer, ReasonIndices at, int g, Basket basket, ReadOnlySpan<float> row, ReadOnlySpan<LineFacts> lines)
    {
        var invariant = CultureInfo.InvariantCulture;
        Span<char> buffer = stackalloc char[256];
        var group = featurizer.Groups[g];
        switch (group.Kind)
        {
            case FeatureGroupKind.Amount:
                return string.Create(invariant, buffer, $"Basket total £{At(row, at.TotalAmount):N0}, most expensive unit £{At(row, at.MaxUnitPrice):N0}");
            case FeatureGroupKind.Size:
                var lineCount = At(row, at.LineCount);
                var unitCount = At(row, at.UnitCount);
                var categories = At(row, at.DistinctCategories);
                return string.Create(invariant, buffer, $"{lineCount:0.##} {Noun(lineCount, "line", "lines")}, {unitCount:0.##} {Noun(unitCount, "unit", "units")} across {categories:0.##} {Noun(categories, "category", "categories")}");
            case FeatureGroupKind.Quantity:
                var most = At(row, at.MaxQuantity);
                return most > 1 ? string.Create(invariant, buffer, $"{most:0.##} units of one item") : "One unit of each item";
            case FeatureGroupKind.Extras:
                return ExtrasTexts[(At(row, at.HasFulfilment) > 0 ? 1 : 0) | (At(row, at.HasWarranty) > 0 ? 2 : 0) | (At(row, at.HasService) > 0 ? 4 : 0)];
            case FeatureGroupKind.MissingDetails:
                var noMake = At(row, at.LinesWithoutMake);
                var noModel = At(row, at.LinesWithoutModel);
                return noMake + noModel > 0
                    ? string.Create(invariant, buffer, $"{noMake:0.##} {Noun(noMake, "item", "items")} without make, {noModel:0.##} without model")
                    : "Every item has a make and model";
            case FeatureGroupKind.Category:
            case FeatureGroupKind.Make:
                var units = At(row, at.Units[g]);
                return units > 0
                    ? string.Create(invariant, buffer, $"{at.Labels[g]} in basket: {units:0.##} {Noun(units, "unit", "units")}, £{At(row, at.Spend[g]):N0}")
                    : at.Absent[g];
            case FeatureGroupKind.ModelRisk:
                return Riskiest("Fraud history of the models bought (riskiest: ", Field(basket, Riskiest(lines, static l => l.ModelRisk), static i => i.Model), buffer);
            case FeatureGroupKind.GoodsCodeRisk:
                return Riskiest("Fraud history of the goods codes bought (riskiest: ", Field(basket, Riskiest(lines, static l => l.GoodsRisk), static i => i.GoodsCode), buffer);
            case FeatureGroupKind.ModelWordRisk:
                return Riskiest("Words in the model names (riskiest: ", RiskiestWord(basket, lines, featurizer.MinTokenLength), buffer);
            case FeatureGroupKind.CategoryRisk:
                return Riskiest("Fraud rate of the categories bought (riskiest: ", Field(basket, Riskiest(lines, static l => l.CategoryRisk), static i => i.Item), buffer);
            case FeatureGroupKind.MakeRisk:
                return Riskiest("Fraud rate of the makes bought (riskiest: ", Field(basket, Riskiest(lines, static l => l.MakeRisk), static i => i.Make), buffer);
            case FeatureGroupKind.LineRisk:
                return RiskiestLine(basket, lines, buffer);
            default:
                return group.Code;
        }
    }

    private static float At(ReadOnlySpan<float> row, int index) => index < 0 ? 0 : row[index];

    private static string Noun(float count, string singular, string plural) => count == 1 ? singular : plural;

    /// <summary>The first line with the highest <paramref name="risk"/>, or -1 for a basket without lines.</summary>
    private static int Riskiest(ReadOnlySpan<LineFacts> lines, Func<LineFacts, float> risk)
    {
        var best = -1;
        var bestRisk = double.MinValue;
        for (var i = 0; i < lines.Length; i++)
        {
            var r = risk(lines[i]);
            if (r > bestRisk)
            {
                (best, bestRisk) = (i, r);
            }
        }

        return best;
    }

    /// <summary>Line <paramref name="line"/>'s <paramref name="field"/> as the retailer wrote it, trimmed (empty for -1).</summary>
    private static ReadOnlySpan<char> Field(Basket basket, int line, Func<BasketItem, string?> field) =>
        line < 0 ? [] : (field(basket.Items[line]) ?? string.Empty).AsSpan().Trim();

    /// <summary>
    /// "<paramref name="prefix"/>'value')", or "… × n)" for <paramref name="units"/> n above one: "none given" for no
    /// value, a value longer than 60 characters cut to 59 and an ellipsis.
    /// </summary>
    private static string Riskiest(string prefix, ReadOnlySpan<char> value, Span<char> buffer, int units = 1)
    {
        var handler = new System.Runtime.CompilerServices.DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, buffer);
        handler.AppendLiteral(prefix);
        if (value.IsEmpty)
        {
            handler.AppendLiteral("none given");
        }
        else
        {
            handler.AppendLiteral("'");
            handler.AppendFormatted(value.Length <= MaxQuotedLength ? value : value[..(MaxQuotedLength - 1)]);
            handler.AppendLiteral(value.Length <= MaxQuotedLength ? "'" : "…'");
        }

        if (units > 1)
        {
            handler.AppendLiteral(" × ");
            handler.AppendFormatted(units);
        }

        handler.AppendLiteral(")");
        return handler.ToStringAndClear();
    }

    /// <summary>The line the first member's line model scores highest, named by its model (or category when it has none).</summary>
    private static string RiskiestLine(Basket basket, ReadOnlySpan<LineFacts> lines, Span<char> buffer)
    {
        const string Prefix = "Items fraud targets, judged line by line (riskiest: ";
        var best = -1;
        var bestScore = double.MinValue;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].LineScore > bestScore)
            {
                (best, bestScore) = (i, lines[i].LineScore);
            }
        }

        if (best < 0)
        {
            return Riskiest(Prefix, [], buffer);
        }

        // Make, model and goods code are optional (BasketItem reads an absent one as empty): a line without a model is
        // named by its category.
        var item = basket.Items[best];
        var modelName = item.Model.AsSpan().Trim();
        return Riskiest(Prefix, modelName.Length > 0 ? modelName : item.Item.AsSpan().Trim(), buffer, item.Quantity);
    }

    /// <summary>
    /// The model word with the highest fraud rate (the first of equals, reading lines and words in order): the line
    /// from the featurizer's facts, the word found again by its position among the words the featurizer read.
    /// </summary>
    private static ReadOnlySpan<char> RiskiestWord(Basket basket, ReadOnlySpan<LineFacts> lines, int minTokenLength)
    {
        var best = -1;
        var bestRisk = double.MinValue;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].RiskiestWord >= 0 && lines[i].RiskiestWordRisk > bestRisk)
            {
                (best, bestRisk) = (i, lines[i].RiskiestWordRisk);
            }
        }

        if (best < 0)
        {
            return [];
        }

        var model = TextKeys.Trim(basket.Items[best].Model);
        var position = 0;
        for (var w = 0; TextKeys.NextToken(model, ref position, minTokenLength, out var word); w++)
        {
            if (w == lines[best].RiskiestWord)
            {
                // The word is a slice of the model name; returned as that slice of it.
                _ = model.Overlaps(word, out var offset);
                return model.Slice(offset, word.Length);
            }
        }

        return [];
    }

    private static string[] BuildExtrasTexts()
    {
        var texts = new string[8];
        for (var bits = 0; bits < 8; bits++)
        {
            var extras = new List<string>(3);
            if ((bits & 1) != 0)
            {
                extras.Add("fulfilment charge");
            }

            if ((bits & 2) != 0)
            {
                extras.Add("warranty");
            }

            if ((bits & 4) != 0)
            {
                extras.Add("service");
            }

            texts[bits] = extras.Count == 0 ? "No fulfilment charge, warranty or service lines" : $"Basket includes {string.Join(", ", extras)}";
        }

        return texts;
    }
}

/// <summary>
/// Where the reason texts find their features in a featurizer's rows, looked up once by name; -1 for a feature the
/// layout does not have (read as 0). Per group: the units and spend features of a category or make group, its label
/// and the text for a basket without it.
/// </summary>
internal sealed class ReasonIndices
{
    public ReasonIndices(BasketFeaturizer featurizer)
    {
        TotalAmount = featurizer.IndexOf("total_amount");
        MaxUnitPrice = featurizer.IndexOf("max_unit_price");
        LineCount = featurizer.IndexOf("line_count");
        UnitCount = featurizer.IndexOf("unit_count");
        DistinctCategories = featurizer.IndexOf("distinct_categories");
        MaxQuantity = featurizer.IndexOf("max_quantity");
        HasFulfilment = featurizer.IndexOf("has_fulfilment_charge");
        HasWarranty = featurizer.IndexOf("has_warranty");
        HasService = featurizer.IndexOf("has_service");
        LinesWithoutMake = featurizer.IndexOf("lines_without_make");
        LinesWithoutModel = featurizer.IndexOf("lines_without_model");
        var groups = featurizer.Groups;
        Units = new int[groups.Count];
        Spend = new int[groups.Count];
        Labels = new string[groups.Count];
        Absent = new string[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            (Units[g], Spend[g]) = (-1, -1);
            if (group.Kind is not (FeatureGroupKind.Category or FeatureGroupKind.Make))
            {
                continue;
            }

            var category = group.Kind == FeatureGroupKind.Category;
            var prefix = category ? "category" : "make";
            var other = group.Value == FeatureLayout.OtherValue;
            Units[g] = featurizer.IndexOf($"{prefix}_units:{group.Value}");
            Spend[g] = featurizer.IndexOf($"{prefix}_spend:{group.Value}");
            Labels[g] = other ? category ? "Less common categories" : "Less common makes" : category ? group.Value : $"{group.Value} items";
            Absent[g] = $"No {(other ? Labels[g].ToLowerInvariant() : Labels[g])} in basket";
        }
    }

    public int TotalAmount { get; }

    public int MaxUnitPrice { get; }

    public int LineCount { get; }

    public int UnitCount { get; }

    public int DistinctCategories { get; }

    public int MaxQuantity { get; }

    public int HasFulfilment { get; }

    public int HasWarranty { get; }

    public int HasService { get; }

    public int LinesWithoutMake { get; }

    public int LinesWithoutModel { get; }

    public int[] Units { get; }

    public int[] Spend { get; }

    public string[] Labels { get; }

    public string[] Absent { get; }
}
