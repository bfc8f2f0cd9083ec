using Fraud.Baskets;

namespace Fraud.Model.Features;

/// <summary>
/// Turns a basket into a fixed-length vector of floats. The layout is: basket aggregates, units and spend
/// per category and per make (vocabularies fitted on training data, other values pooled), then the fraud
/// history of the basket's model names, goods codes, model-name words, categories and makes (smoothed
/// target encodings, aggregated per basket), and last the line model's view of the basket (<see cref="LineRiskModel"/>). Immutable and thread-safe; featurizing allocates nothing.
/// </summary>
public sealed class BasketFeaturizer
{
    /// <summary>Version of the feature layout; a model built with another layout is refused.</summary>
    public const int CurrentVersion = 3;

    internal const int AggregateCount = 30;
    internal const int RiskCount = 26 + LineRiskModel.OutputCount;

    private static readonly double[] BandUpperBounds = [25, 100, 300, 800, 1500];

    private readonly string[] _categories;
    private readonly string[] _makes;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _categoryLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _makeLookup;
    private readonly EncodingTable _models;
    private readonly EncodingTable _goodsCodes;
    private readonly EncodingTable _modelWords;
    private readonly EncodingTable _categoryRisk;
    private readonly EncodingTable _makeRisk;
    private readonly LineRiskModel _lineModel;
    private readonly int _minTokenLength;
    private readonly int _categoryOffset;
    private readonly int _makeOffset;
    private readonly int _riskOffset;
    private readonly Dictionary<string, int> _featureIndex;

    internal BasketFeaturizer(
        string[] categories,
        string[] makes,
        EncodingTable models,
        EncodingTable goodsCodes,
        EncodingTable modelWords,
        EncodingTable categoryRisk,
        EncodingTable makeRisk,
        LineRiskModel lineModel,
        int minTokenLength)
    {
        _categories = categories;
        _makes = makes;
        _categoryLookup = EncodingTable.BuildIndex(categories).GetAlternateLookup<ReadOnlySpan<char>>();
        _makeLookup = EncodingTable.BuildIndex(makes).GetAlternateLookup<ReadOnlySpan<char>>();
        _models = models;
        _goodsCodes = goodsCodes;
        _modelWords = modelWords;
        _categoryRisk = categoryRisk;
        _makeRisk = makeRisk;
        _lineModel = lineModel;
        _minTokenLength = minTokenLength;
        _categoryOffset = AggregateCount;
        _makeOffset = _categoryOffset + (2 * (categories.Length + 1));
        _riskOffset = _makeOffset + (2 * (makes.Length + 1));
        FeatureCount = _riskOffset + RiskCount;
        (FeatureNames, Groups, GroupOfFeature) = FeatureLayout.Build(categories, makes, FeatureCount);
        _featureIndex = new Dictionary<string, int>(FeatureCount, StringComparer.Ordinal);
        for (var i = 0; i < FeatureNames.Count; i++)
        {
            _featureIndex[FeatureNames[i]] = i;
        }
    }

    /// <summary>Length of the vector <see cref="Featurize"/> writes.</summary>
    public int FeatureCount { get; }

    /// <summary>One name per feature, in vector order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The readable groups that explanations report.</summary>
    public IReadOnlyList<FeatureGroup> Groups { get; }

    /// <summary>Index into <see cref="Groups"/> for each feature.</summary>
    internal int[] GroupOfFeature { get; }

    internal IReadOnlyList<string> Categories => _categories;

    internal IReadOnlyList<string> Makes => _makes;

    internal EncodingTable ModelTable => _models;

    internal EncodingTable GoodsCodeTable => _goodsCodes;

    internal EncodingTable ModelWordTable => _modelWords;

    internal EncodingTable CategoryRiskTable => _categoryRisk;

    internal EncodingTable MakeRiskTable => _makeRisk;

    internal LineRiskModel LineModel => _lineModel;

    internal int MinTokenLength => _minTokenLength;

    /// <summary>Position of the feature called <paramref name="name"/>, or -1.</summary>
    internal int IndexOf(string name) => _featureIndex.TryGetValue(name, out var i) ? i : -1;

    /// <summary>Writes the features of <paramref name="basket"/> into <paramref name="destination"/> (length ≥ <see cref="FeatureCount"/>).</summary>
    public void Featurize(Basket basket, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(basket);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, FeatureCount, nameof(destination));
        destination = destination[..FeatureCount];
        destination.Clear();

        var items = basket.Items;
        var n = items.Count;
        if (n == 0)
        {
            return;
        }

        // Per-line scratch lives on the stack for any basket the contract allows (24 lines).
        Span<int> categoryHash = n <= 64 ? stackalloc int[n] : new int[n];
        Span<int> makeHash = n <= 64 ? stackalloc int[n] : new int[n];
        Span<int> goodsHash = n <= 64 ? stackalloc int[n] : new int[n];
        Span<double> amounts = n <= 64 ? stackalloc double[n] : new double[n];
        Span<double> lineScores = n <= 64 ? stackalloc double[n] : new double[n];
        Span<char> categoryBuffer = stackalloc char[TextKeys.MaxKeyLength];

        double total = 0, priceSum = 0, priceSquares = 0, maxPrice = double.MinValue, minPrice = double.MaxValue;
        double topLine = 0, extrasSpend = 0;
        int units = 0, maxQuantity = 0, multiUnitLines = 0, missingMake = 0, missingModel = 0, maxQuantityOver100 = 0, maxQuantityOver500 = 0;
        double riskyLines = 0, riskyUnits = 0;
        double riskWeightedSpend = 0, riskySpend = 0, repeatedUnitsSpend = 0, maxRiskyUnits = 0, riskiestLineQuantity = 0, riskiestLineAmount = 0, riskiestLine = double.MinValue;
        bool fulfilment = false, warranty = false, service = false;

        double modelMax = 0, modelSum = 0, modelWeighted = 0, modelMinCount = double.MaxValue, modelUnseen = 0;
        double goodsMax = 0, goodsSum = 0, goodsWeighted = 0, goodsMinCount = double.MaxValue, goodsUnseen = 0;
        double wordMax = 0, wordSum = 0;
        int words = 0, knownWords = 0;
        double categoryRiskMax = 0, categoryRiskWeighted = 0, makeRiskMax = 0, makeRiskWeighted = 0;

        for (var i = 0; i < n; i++)
        {
            var item = items[i];
            var price = LineKeys.Price(item);
            var quantity = Math.Max(1, item.Quantity);
            var amount = price * quantity;
            amounts[i] = amount;
            total += amount;
            priceSum += price;
            priceSquares += price * price;
            maxPrice = Math.Max(maxPrice, price);
            minPrice = Math.Min(minPrice, price);
            topLine = Math.Max(topLine, amount);
            units += quantity;
            maxQuantity = Math.Max(maxQuantity, quantity);
            multiUnitLines += quantity > 1 ? 1 : 0;
            maxQuantityOver100 = price >= 100 ? Math.Max(maxQuantityOver100, quantity) : maxQuantityOver100;
            maxQuantityOver500 = price >= 500 ? Math.Max(maxQuantityOver500, quantity) : maxQuantityOver500;
            destination[21 + Band(price)] += 1;

            var category = categoryBuffer[..TextKeys.NormalizeCategory(item.Item, categoryBuffer)];
            categoryHash[i] = string.GetHashCode(category, StringComparison.Ordinal);
            var isFulfilment = TextKeys.Contains(category, "FULFIL") || TextKeys.Contains(category, "DELIVERY");
            var isWarranty = TextKeys.Contains(category, "WARRANTY") || TextKeys.Contains(category, "INSURANCE");
            var isService = TextKeys.Contains(category, "SERVICE");
            fulfilment |= isFulfilment;
            warranty |= isWarranty;
            service |= isService;
            extrasSpend += isFulfilment || isWarranty || isService ? amount : 0;
            var slot = category.IsEmpty || !_categoryLookup.TryGetValue(category, out var c) ? _categories.Length : c;
            destination[_categoryOffset + (2 * slot)] += quantity;
            destination[_categoryOffset + (2 * slot) + 1] += (float)amount;
            var categoryRisk = _categoryRisk.RiskOf(category, out _);
            categoryRiskMax = Math.Max(categoryRiskMax, categoryRisk);
            categoryRiskWeighted += categoryRisk * amount;

            var make = TextKeys.Trim(item.Make);
            makeHash[i] = make.IsEmpty ? 0 : string.GetHashCode(make, StringComparison.OrdinalIgnoreCase);
            if (make.IsEmpty)
            {
                missingMake++;
            }
            else
            {
                slot = _makeLookup.TryGetValue(make, out var m) ? m : _makes.Length;
                destination[_makeOffset + (2 * slot)] += quantity;
                destination[_makeOffset + (2 * slot) + 1] += (float)amount;
            }

            var makeRisk = _makeRisk.RiskOf(make, out _);
            makeRiskMax = Math.Max(makeRiskMax, makeRisk);
            makeRiskWeighted += makeRisk * amount;

            var model = TextKeys.Trim(item.Model);
            missingModel += model.IsEmpty ? 1 : 0;
            var modelRisk = _models.RiskOf(model, out var modelCount);
            modelMax = Math.Max(modelMax, modelRisk);
            modelSum += modelRisk;
            modelWeighted += modelRisk * amount;
            modelMinCount = Math.Min(modelMinCount, modelCount);
            modelUnseen += modelCount == 0 ? 1 : 0;

            var position = 0;
            while (TextKeys.NextToken(model, ref position, _minTokenLength, out var word))
            {
                var wordRisk = _modelWords.RiskOf(word, out var wordCount);
                wordMax = Math.Max(wordMax, wordRisk);
                wordSum += wordRisk;
                words++;
                knownWords += wordCount > 0 ? 1 : 0;
            }

            var goods = TextKeys.Trim(item.GoodsCode);
            goodsHash[i] = goods.IsEmpty ? 0 : string.GetHashCode(goods, StringComparison.OrdinalIgnoreCase);
            var goodsRisk = _goodsCodes.RiskOf(goods, out var goodsCount);
            goodsMax = Math.Max(goodsMax, goodsRisk);
            goodsSum += goodsRisk;
            goodsWeighted += goodsRisk * amount;
            goodsMinCount = Math.Min(goodsMinCount, goodsCount);
            goodsUnseen += goodsCount == 0 ? 1 : 0;
            lineScores[i] = _lineModel.LineScore(category, make, model, goods, price, quantity);
            // Value bought of items with a fraud history: the resale-value signal, learnt from labels rather than assumed.
            var lineRisk = Math.Max(modelRisk, goodsRisk);
            riskWeightedSpend += amount * lineRisk / _models.Prior;
            var risky = lineRisk > 2 * _models.Prior;
            riskySpend += risky ? amount : 0;
            riskyLines += risky ? 1 : 0;
            riskyUnits += risky ? quantity : 0;
            // Several units of one item is a reseller's signature, stronger the riskier the item.
            repeatedUnitsSpend += (quantity - 1) * price;
            maxRiskyUnits = Math.Max(maxRiskyUnits, quantity * lineRisk / _models.Prior);
            if (lineRisk > riskiestLine)
            {
                (riskiestLine, riskiestLineQuantity, riskiestLineAmount) = (lineRisk, quantity, amount);
            }
        }

        var mean = priceSum / n;
        var variance = Math.Max(0, (priceSquares / n) - (mean * mean));
        var distinctGoods = CountDistinct(goodsHash);
        var goodsLines = n - CountZero(goodsHash);
        var shareDenominator = total > 0 ? total : 1;

        destination[0] = (float)total;
        destination[1] = n;
        destination[2] = units;
        destination[3] = (float)maxPrice;
        destination[4] = (float)minPrice;
        destination[5] = (float)mean;
        destination[6] = (float)Math.Sqrt(variance);
        destination[7] = (float)topLine;
        destination[8] = (float)(topLine / shareDenominator);
        destination[9] = CountDistinct(categoryHash);
        destination[10] = CountDistinct(makeHash);
        destination[11] = distinctGoods;
        destination[12] = goodsLines - distinctGoods;
        destination[13] = maxQuantity;
        destination[14] = multiUnitLines;
        destination[15] = fulfilment ? 1 : 0;
        destination[16] = warranty ? 1 : 0;
        destination[17] = service ? 1 : 0;
        destination[18] = (float)extrasSpend;
        destination[19] = missingMake;
        destination[20] = missingModel;
        // 21..26 are the price bands, counted above
        destination[27] = (float)(TopGroupSpend(categoryHash, amounts) / shareDenominator);
        destination[28] = maxQuantityOver100;
        destination[29] = maxQuantityOver500;

        // Spend-weighted means fall back to plain means when every price is 0.
        var r = destination[_riskOffset..];
        r[0] = (float)modelMax;
        r[1] = (float)(modelSum / n);
        r[2] = (float)(total > 0 ? modelWeighted / total : modelSum / n);
        r[3] = (float)modelMinCount;
        r[4] = (float)modelUnseen;
        r[5] = (float)goodsMax;
        r[6] = (float)(goodsSum / n);
        r[7] = (float)(total > 0 ? goodsWeighted / total : goodsSum / n);
        r[8] = (float)goodsMinCount;
        r[9] = (float)goodsUnseen;
        r[10] = words > 0 ? (float)wordMax : _modelWords.Prior;
        r[11] = words > 0 ? (float)(wordSum / words) : _modelWords.Prior;
        r[12] = words > 0 ? (float)knownWords / words : 0;
        r[13] = (float)categoryRiskMax;
        r[14] = (float)(total > 0 ? categoryRiskWeighted / total : categoryRiskMax);
        r[15] = (float)makeRiskMax;
        r[16] = (float)(total > 0 ? makeRiskWeighted / total : makeRiskMax);
        r[17] = (float)riskWeightedSpend;
        r[18] = (float)(riskySpend / shareDenominator);
        r[19] = (float)riskiestLineQuantity;
        r[20] = (float)riskiestLineAmount;
        r[21] = (float)repeatedUnitsSpend;
        r[22] = (float)maxRiskyUnits;
        // Several different high-risk items in one basket, in lines, units and money: a shopping list for resale.
        r[23] = (float)riskyLines;
        r[24] = (float)riskyUnits;
        r[25] = (float)riskySpend;
        _lineModel.Summarise(lineScores, units, total, r[26..]);
    }

    internal FeaturizerStateDto ToDto() => new()
    {
        Version = CurrentVersion,
        MinTokenLength = _minTokenLength,
        Categories = _categories,
        Makes = _makes,
        Models = _models.ToDto(),
        GoodsCodes = _goodsCodes.ToDto(),
        ModelWords = _modelWords.ToDto(),
        CategoryRisk = _categoryRisk.ToDto(),
        MakeRisk = _makeRisk.ToDto(),
        LineModel = _lineModel.ToDto(),
    };

    internal static BasketFeaturizer FromDto(FeaturizerStateDto? dto)
    {
        if (dto is null)
        {
            throw new ModelFormatException("The model has no featurizer state.");
        }

        if (dto.Version != CurrentVersion)
        {
            throw new ModelFormatException($"The featurizer layout version is {dto.Version}; this build reads version {CurrentVersion}.");
        }

        if (dto.Categories is null || dto.Makes is null || dto.MinTokenLength < 1)
        {
            throw new ModelFormatException("The featurizer state is incomplete (vocabularies or token length missing).");
        }

        return new BasketFeaturizer(
            dto.Categories,
            dto.Makes,
            EncodingTable.FromDto(dto.Models, "models"),
            EncodingTable.FromDto(dto.GoodsCodes, "goodsCodes"),
            EncodingTable.FromDto(dto.ModelWords, "modelWords"),
            EncodingTable.FromDto(dto.CategoryRisk, "categoryRisk"),
            EncodingTable.FromDto(dto.MakeRisk, "makeRisk"),
            LineRiskModel.FromDto(dto.LineModel, dto.MinTokenLength),
            dto.MinTokenLength);
    }

    private static int Band(double price)
    {
        var band = 0;
        while (band < BandUpperBounds.Length && price >= BandUpperBounds[band])
        {
            band++;
        }

        return band;
    }

    private static int CountDistinct(ReadOnlySpan<int> hashes)
    {
        // Zero marks an empty value; a basket has at most a few dozen lines, so quadratic is cheapest.
        var distinct = 0;
        for (var i = 0; i < hashes.Length; i++)
        {
            if (hashes[i] == 0 || hashes[..i].Contains(hashes[i]))
            {
                continue;
            }

            distinct++;
        }

        return distinct;
    }

    private static int CountZero(ReadOnlySpan<int> hashes)
    {
        var zeros = 0;
        foreach (var h in hashes)
        {
            zeros += h == 0 ? 1 : 0;
        }

        return zeros;
    }

    private static double TopGroupSpend(ReadOnlySpan<int> hashes, ReadOnlySpan<double> amounts)
    {
        double best = 0;
        for (var i = 0; i < hashes.Length; i++)
        {
            double spend = 0;
            for (var j = 0; j < hashes.Length; j++)
            {
                spend += hashes[j] == hashes[i] ? amounts[j] : 0;
            }

            best = Math.Max(best, spend);
        }

        return best;
    }
}
