using Fraud.Baskets;

namespace Fraud.Model.Features;

/// <summary>
/// Featurizes a basket for one or more <see cref="BasketFeaturizer"/>s that share their vocabularies (the members of
/// an ensemble) in one pass. Everything that does not depend on the fitted encodings — parsing and normalising each
/// line, the aggregates, the category and make columns, the line model's key hashes — is done once; each text key
/// and line key is looked up once in a table that holds every member's value side by side. A model of k members so
/// costs little more to featurize than a model of one (the parsing and hashing dominate), where featurizing member by
/// member cost k times as much. A single featurizer uses this too, over its own tables, so there is one feature code
/// path. Immutable and thread-safe; featurizing allocates nothing for any basket the contract allows.
/// </summary>
internal sealed class JointFeaturizer
{
    /// <summary>Features of the fraud-history block before the line model's summaries.</summary>
    internal const int HistoryCount = MemberRisk.Count;

    private readonly int _members;
    private readonly int _featureCount;
    private readonly int _categoryCount;
    private readonly int _makeCount;
    private readonly int _categoryOffset;
    private readonly int _makeOffset;
    private readonly int _riskOffset;
    private readonly int _decileOffset;
    private readonly double[] _deciles;
    private readonly int _minTokenLength;
    private readonly PriceBands _priceBands;
    private readonly double _quantityPrice1;
    private readonly double _quantityPrice2;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _categoryLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _makeLookup;
    private readonly JointTable _models;
    private readonly JointTable _goodsCodes;
    private readonly JointTable _modelWords;
    private readonly JointTable _categoryRisk;
    private readonly JointTable _makeRisk;
    private readonly JointLineModel _lineModel;

    // Lines seen before, by their four texts, price band and quantity (null: no cache). Direct-mapped: a line's slot
    // is its hash, and a new line replaces whatever held the slot, so the memory is bounded by the slot count.
    private readonly LineText?[]? _lineCache;

    [ThreadStatic]
    private static LineText? _threadScratch;

    /// <summary>
    /// A featurizer over <paramref name="members"/>; <paramref name="lineCacheSlots"/> (0 or a power of two) lines'
    /// text-derived values are cached for scoring (<see cref="DefaultLineCacheSlots"/> in a served model; 0 when
    /// featurizing training rows, which are mostly seen once).
    /// </summary>
    public JointFeaturizer(IReadOnlyList<BasketFeaturizer> members, int lineCacheSlots = 0)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("At least one featurizer is needed.", nameof(members));
        }

        var first = members[0];
        foreach (var member in members)
        {
            if (member.MinTokenLength != first.MinTokenLength
                || !member.Categories.SequenceEqual(first.Categories, StringComparer.Ordinal)
                || !member.Makes.SequenceEqual(first.Makes, StringComparer.Ordinal)
                || !member.PriceBands.SameAs(first.PriceBands))
            {
                throw new ModelFormatException("The members' featurizers differ in vocabulary, price bands or token length; every member must share them.");
            }
        }

        _members = members.Count;
        _featureCount = first.FeatureCount;
        _categoryCount = first.Categories.Count;
        _makeCount = first.Makes.Count;
        _categoryOffset = BasketFeaturizer.AggregateCount;
        _makeOffset = _categoryOffset + (2 * (_categoryCount + 1));
        _riskOffset = _makeOffset + (2 * (_makeCount + 1));
        _decileOffset = _riskOffset + BasketFeaturizer.RiskCount;
        _deciles = first.PriceBands.DecileBounds;
        _minTokenLength = first.MinTokenLength;
        _priceBands = first.PriceBands;
        _quantityPrice1 = first.PriceBands.QuantityBounds[0];
        _quantityPrice2 = first.PriceBands.QuantityBounds[1];
        _categoryLookup = EncodingTable.BuildIndex([.. first.Categories]).GetAlternateLookup<ReadOnlySpan<char>>();
        _makeLookup = EncodingTable.BuildIndex([.. first.Makes]).GetAlternateLookup<ReadOnlySpan<char>>();
        _models = JointTable.Of([.. members.Select(m => m.ModelTable)]);
        _goodsCodes = JointTable.Of([.. members.Select(m => m.GoodsCodeTable)]);
        _modelWords = JointTable.Of([.. members.Select(m => m.ModelWordTable)]);
        _categoryRisk = JointTable.Of([.. members.Select(m => m.CategoryRiskTable)]);
        _makeRisk = JointTable.Of([.. members.Select(m => m.MakeRiskTable)]);
        _lineModel = JointLineModel.Of([.. members.Select(m => m.LineModel)]);
        if (lineCacheSlots < 0 || (lineCacheSlots & (lineCacheSlots - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lineCacheSlots), lineCacheSlots, "The line cache's slot count is 0 or a power of two.");
        }

        _lineCache = lineCacheSlots == 0 ? null : new LineText?[lineCacheSlots];
    }

    /// <summary>
    /// Line-cache slots of a served model. An entry is about 200 bytes plus its word list and keeps the line's four
    /// strings (at most 256 characters each by the contract) alive: at most about 10 MB for 4,096 slots, typically
    /// under 2 MB; a catalogue's popular lines stay in it, a line seen once is replaced by the next that hashes there.
    /// </summary>
    public const int DefaultLineCacheSlots = 4096;

    /// <summary>Length of one member's vector.</summary>
    public int FeatureCount => _featureCount;

    /// <summary>Lines the cache holds now (tests; counts the slots, so not for a hot path).</summary>
    internal int CachedLines => _lineCache?.Count(l => l is not null) ?? 0;

    /// <summary>
    /// Writes member m's features of <paramref name="basket"/> into <c>destination[m·FeatureCount ..]</c>
    /// (<paramref name="destination"/> holds at least one row per member).
    /// </summary>
    public void Featurize(Basket basket, Span<float> destination) => Featurize(basket, destination, []);

    /// <summary>
    /// As <see cref="Featurize(Basket, Span{float})"/>, and when <paramref name="firstMemberLines"/> is not empty (one
    /// slot per basket line at least), what the first member's tables said of each line, for the reason texts: the
    /// same values they would get by looking each line up again.
    /// </summary>
    public void Featurize(Basket basket, Span<float> destination, Span<LineFacts> firstMemberLines)
    {
        ArgumentNullException.ThrowIfNull(basket);
        var k = _members;
        var width = _featureCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, k * width, nameof(destination));
        destination = destination[..(k * width)];
        destination.Clear();

        var items = basket.Items;
        var n = items.Count;
        if (n == 0)
        {
            return;
        }

        var facts = !firstMemberLines.IsEmpty;
        if (facts)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(firstMemberLines.Length, n, nameof(firstMemberLines));
        }

        // Per-line and per-member scratch lives on the stack for any basket the contract allows (24 lines).
        Span<int> categoryHash = n <= 64 ? stackalloc int[n] : new int[n];
        Span<int> makeHash = n <= 64 ? stackalloc int[n] : new int[n];
        Span<int> goodsHash = n <= 64 ? stackalloc int[n] : new int[n];
        Span<double> amounts = n <= 64 ? stackalloc double[n] : new double[n];
        Span<double> lineScores = k * n <= 512 ? stackalloc double[k * n] : new double[k * n];
        Span<MemberRisk> risks = k <= 16 ? stackalloc MemberRisk[k] : new MemberRisk[k];
        Span<double> scores = k <= 64 ? stackalloc double[k] : new double[k];
        Span<char> categoryBuffer = stackalloc char[TextKeys.MaxKeyLength];
        Span<ulong> lineKeys = stackalloc ulong[LineKeys.MaxKeysPerLine];
        Span<float> lineValues = stackalloc float[LineKeys.MaxKeysPerLine];
        for (var m = 0; m < k; m++)
        {
            risks[m] = MemberRisk.Empty;
        }

        // The aggregate, category and make block is the same for every member: written into member 0's row.
        var shared = destination[..width];
        double total = 0, priceSum = 0, priceSquares = 0, maxPrice = double.MinValue, minPrice = double.MaxValue;
        double topLine = 0, extrasSpend = 0, repeatedUnitsSpend = 0;
        int units = 0, maxQuantity = 0, multiUnitLines = 0, missingMake = 0, missingModel = 0, maxQuantityPriced1 = 0, maxQuantityPriced2 = 0;
        int words = 0;
        bool fulfilment = false, warranty = false, service = false;

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
            maxQuantityPriced1 = price >= _quantityPrice1 ? Math.Max(maxQuantityPriced1, quantity) : maxQuantityPriced1;
            maxQuantityPriced2 = price >= _quantityPrice2 ? Math.Max(maxQuantityPriced2, quantity) : maxQuantityPriced2;
            // Several units of one item is a reseller's signature.
            repeatedUnitsSpend += (quantity - 1) * price;
            shared[21 + _priceBands.Band(price)] += 1;
            // Layout 5: cumulative counts. The deciles ascend, so a line below one is below every higher one.
            for (var d = _deciles.Length - 1; d >= 0 && price < _deciles[d]; d--)
            {
                shared[_decileOffset + d] += 1;
            }

            // Everything that depends only on the line's texts, price band and quantity: from the cache when the same
            // line was seen before, else computed now (the same code either way, so the same values).
            var line = Line(item, price, quantity, categoryBuffer, lineKeys, lineValues, scores);
            categoryHash[i] = line.CategoryHash;
            fulfilment |= line.Fulfilment;
            warranty |= line.Warranty;
            service |= line.Service;
            extrasSpend += line.Fulfilment || line.Warranty || line.Service ? amount : 0;
            var slot = line.CategorySlot;
            shared[_categoryOffset + (2 * slot)] += quantity;
            shared[_categoryOffset + (2 * slot) + 1] += (float)amount;

            makeHash[i] = line.MakeHash;
            if (line.MakeSlot < 0)
            {
                missingMake++;
            }
            else
            {
                slot = line.MakeSlot;
                shared[_makeOffset + (2 * slot)] += quantity;
                shared[_makeOffset + (2 * slot) + 1] += (float)amount;
            }

            missingModel += line.NoModel ? 1 : 0;
            goodsHash[i] = line.GoodsHash;

            var categoryEntry = line.CategoryEntry;
            var makeEntry = line.MakeEntry;
            var modelEntry = line.ModelEntry;
            var goodsEntry = line.GoodsEntry;
            for (var m = 0; m < k; m++)
            {
                ref var r = ref risks[m];
                r.AddCategory(_categoryRisk.Risk(categoryEntry, m), amount);
                r.AddMake(_makeRisk.Risk(makeEntry, m), amount);
                var modelRisk = _models.Risk(modelEntry, m);
                var goodsRisk = _goodsCodes.Risk(goodsEntry, m);
                r.AddModel(modelRisk, _models.LogCount(modelEntry, m), amount);
                r.AddGoods(goodsRisk, _goodsCodes.LogCount(goodsEntry, m), amount);
                r.AddLine(Math.Max(modelRisk, goodsRisk), _models.Prior(m), amount, quantity);
            }

            foreach (var wordEntry in line.WordEntries.AsSpan(0, line.WordCount))
            {
                for (var m = 0; m < k; m++)
                {
                    risks[m].AddWord(_modelWords.Risk(wordEntry, m), _modelWords.LogCount(wordEntry, m) > 0);
                }

                words++;
            }

            for (var m = 0; m < k; m++)
            {
                lineScores[(m * n) + i] = line.LineScores[m];
            }

            if (facts)
            {
                firstMemberLines[i] = Facts(line);
            }
        }

        var mean = priceSum / n;
        var variance = Math.Max(0, (priceSquares / n) - (mean * mean));
        var distinctGoods = CountDistinct(goodsHash);
        var goodsLines = n - CountZero(goodsHash);
        var shareDenominator = total > 0 ? total : 1;

        shared[0] = (float)total;
        shared[1] = n;
        shared[2] = units;
        shared[3] = (float)maxPrice;
        shared[4] = (float)minPrice;
        shared[5] = (float)mean;
        shared[6] = (float)Math.Sqrt(variance);
        shared[7] = (float)topLine;
        shared[8] = (float)(topLine / shareDenominator);
        shared[9] = CountDistinct(categoryHash);
        shared[10] = CountDistinct(makeHash);
        shared[11] = distinctGoods;
        shared[12] = goodsLines - distinctGoods;
        shared[13] = maxQuantity;
        shared[14] = multiUnitLines;
        shared[15] = fulfilment ? 1 : 0;
        shared[16] = warranty ? 1 : 0;
        shared[17] = service ? 1 : 0;
        shared[18] = (float)extrasSpend;
        shared[19] = missingMake;
        shared[20] = missingModel;
        // 21..26 are the price bands, counted above
        shared[27] = (float)(TopGroupSpend(categoryHash, amounts) / shareDenominator);
        shared[28] = maxQuantityPriced1;
        shared[29] = maxQuantityPriced2;

        LineKeys.CollectBasket(n, units, total, lineKeys, lineValues);
        _lineModel.Weigh(lineKeys[..LineKeys.MaxBasketKeys], lineValues[..LineKeys.MaxBasketKeys], scores);
        for (var m = 0; m < k; m++)
        {
            var row = destination.Slice(m * width, width);
            if (m > 0)
            {
                shared[.._riskOffset].CopyTo(row);
                shared[_decileOffset..].CopyTo(row[_decileOffset..]);
            }

            var r = row[_riskOffset..];
            risks[m].Write(r, n, words, total, shareDenominator, repeatedUnitsSpend, _modelWords.Prior(m));
            LineRiskModel.Summarise(lineScores.Slice(m * n, n), _lineModel.Bias(m) + scores[m], r[MemberRisk.Count..]);
        }
    }

    /// <summary>
    /// The text-derived description of a line (<paramref name="quantity"/> at least 1, <paramref name="price"/> as
    /// <see cref="LineKeys.Price"/>): from the line cache when it holds this line's four texts with the same price band
    /// and quantity, else described now (and cached when there is a cache). Without a cache the result is this
    /// thread's scratch, valid until its next call.
    /// </summary>
    private LineText Line(BasketItem item, double price, int quantity, Span<char> categoryBuffer, Span<ulong> lineKeys, Span<float> lineValues, Span<double> scores)
    {
        var band = LineKeys.PriceBand(price);
        var cache = _lineCache;
        if (cache is null)
        {
            var scratch = _threadScratch is { } t && t.LineScores.Length >= _members ? t : _threadScratch = new LineText(_members);
            Describe(scratch, item, price, quantity, categoryBuffer, lineKeys, lineValues, scores);
            return scratch;
        }

        ref var slot = ref cache[HashCode.Combine(item.Item, item.Make, item.Model, item.GoodsCode, band, quantity) & (cache.Length - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && cached.Matches(item, band, quantity))
        {
            return cached;
        }

        var line = new LineText(_members) { Item = item.Item, Make = item.Make, Model = item.Model, GoodsCode = item.GoodsCode, Band = band, Quantity = quantity };
        Describe(line, item, price, quantity, categoryBuffer, lineKeys, lineValues, scores);
        // Entries are immutable once published; a racing writer of the same slot only replaces one equal or other line.
        Volatile.Write(ref slot, line);
        return line;
    }

    /// <summary>Fills <paramref name="line"/> from the item's texts: the only place these values are computed.</summary>
    private void Describe(LineText line, BasketItem item, double price, int quantity, Span<char> categoryBuffer, Span<ulong> lineKeys, Span<float> lineValues, Span<double> scores)
    {
        var category = categoryBuffer[..TextKeys.NormalizeCategory(item.Item, categoryBuffer)];
        line.CategoryHash = string.GetHashCode(category, StringComparison.Ordinal);
        line.Fulfilment = TextKeys.Contains(category, "FULFIL") || TextKeys.Contains(category, "DELIVERY");
        line.Warranty = TextKeys.Contains(category, "WARRANTY") || TextKeys.Contains(category, "INSURANCE");
        line.Service = TextKeys.Contains(category, "SERVICE");
        line.CategorySlot = category.IsEmpty || !_categoryLookup.TryGetValue(category, out var c) ? _categoryCount : c;

        var make = TextKeys.Trim(item.Make);
        line.MakeHash = make.IsEmpty ? 0 : string.GetHashCode(make, StringComparison.OrdinalIgnoreCase);
        line.MakeSlot = make.IsEmpty ? -1 : _makeLookup.TryGetValue(make, out var mk) ? mk : _makeCount;

        var model = TextKeys.Trim(item.Model);
        line.NoModel = model.IsEmpty;
        var goods = TextKeys.Trim(item.GoodsCode);
        line.GoodsHash = goods.IsEmpty ? 0 : string.GetHashCode(goods, StringComparison.OrdinalIgnoreCase);

        line.CategoryEntry = _categoryRisk.Find(category);
        line.MakeEntry = _makeRisk.Find(make);
        line.ModelEntry = _models.Find(model);
        line.GoodsEntry = _goodsCodes.Find(goods);

        line.WordCount = 0;
        var position = 0;
        while (TextKeys.NextToken(model, ref position, _minTokenLength, out var word))
        {
            line.AddWord(_modelWords.Find(word));
        }

        var keyCount = LineKeys.Collect(category, make, model, goods, price, quantity, _minTokenLength, lineKeys, lineValues);
        _lineModel.Weigh(lineKeys[..keyCount], lineValues[..keyCount], scores);
        scores[.._members].CopyTo(line.LineScores);
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

    /// <summary>
    /// Every key of any member, numbered in first-seen order (members in order, keys in stored order), compared as the
    /// members' own indexes compare them. A single member's own index is used as it is.
    /// </summary>
    private static Dictionary<TKey, int> UnionIndex<TKey>((Dictionary<TKey, int> Index, TKey[] Keys)[] members)
        where TKey : notnull
    {
        if (members.Length == 1)
        {
            return members[0].Index;
        }

        var index = new Dictionary<TKey, int>(members[0].Index.Comparer);
        foreach (var (_, keys) in members)
        {
            foreach (var key in keys)
            {
                index.TryAdd(key, index.Count);
            }
        }

        return index;
    }

    /// <summary>
    /// The members' values laid out entry-major, member m of entry e at <c>e·k + m</c>; a key a member does not hold
    /// gets that member's <paramref name="absent"/> value. A single member's values are already in that layout.
    /// </summary>
    private static float[] Interleave<TKey>(Dictionary<TKey, int> index, (TKey[] Keys, float[] Values)[] members, float[] absent)
        where TKey : notnull
    {
        var k = members.Length;
        if (k == 1)
        {
            return members[0].Values;
        }

        var values = new float[index.Count * k];
        for (var m = 0; m < k; m++)
        {
            for (var e = 0; e < index.Count; e++)
            {
                values[(e * k) + m] = absent[m];
            }

            var (keys, memberValues) = members[m];
            for (var i = 0; i < keys.Length; i++)
            {
                values[(index[keys[i]] * k) + m] = memberValues[i];
            }
        }

        return values;
    }

    /// <summary>The first member's risks of a line's texts and its line score; its riskiest model word by position.</summary>
    private LineFacts Facts(LineText line)
    {
        var bestWord = -1;
        var bestWordRisk = float.MinValue;
        for (var w = 0; w < line.WordCount; w++)
        {
            // Strictly greater: the first of equally risky words, as reading the words in order finds it.
            var risk = _modelWords.Risk(line.WordEntries[w], 0);
            if (risk > bestWordRisk)
            {
                (bestWord, bestWordRisk) = (w, risk);
            }
        }

        return new LineFacts(
            line.LineScores[0],
            _categoryRisk.Risk(line.CategoryEntry, 0),
            _makeRisk.Risk(line.MakeEntry, 0),
            _models.Risk(line.ModelEntry, 0),
            _goodsCodes.Risk(line.GoodsEntry, 0),
            bestWord,
            bestWordRisk);
    }

    /// <summary>
    /// What a basket line's texts, price band and quantity give the featurizer: the category and make columns and
    /// hashes, the extras flags, the encoding-table entries of its category, make, model, goods code and model words,
    /// and every member's line-model score. The amounts are not in it: they are added per basket.
    /// </summary>
    private sealed class LineText(int members)
    {
        public string? Item;
        public string? Make;
        public string? Model;
        public string? GoodsCode;
        public int Band;
        public int Quantity;
        public int CategoryHash;
        public int MakeHash;
        public int GoodsHash;
        public bool Fulfilment;
        public bool Warranty;
        public bool Service;
        public bool NoModel;
        public int CategorySlot;

        /// <summary>The make's column, or -1 when the line has no make.</summary>
        public int MakeSlot;
        public int CategoryEntry;
        public int MakeEntry;
        public int ModelEntry;
        public int GoodsEntry;
        public int[] WordEntries = [];
        public int WordCount;
        public readonly double[] LineScores = new double[members];

        public bool Matches(BasketItem item, int band, int quantity) =>
            Band == band && Quantity == quantity
            && string.Equals(Item, item.Item, StringComparison.Ordinal)
            && string.Equals(Make, item.Make, StringComparison.Ordinal)
            && string.Equals(Model, item.Model, StringComparison.Ordinal)
            && string.Equals(GoodsCode, item.GoodsCode, StringComparison.Ordinal);

        public void AddWord(int entry)
        {
            if (WordCount == WordEntries.Length)
            {
                Array.Resize(ref WordEntries, Math.Max(8, WordCount * 2));
            }

            WordEntries[WordCount++] = entry;
        }
    }

    /// <summary>One member's running sums over a basket's lines for the fraud-history (risk) block.</summary>
    private struct MemberRisk
    {
        /// <summary>Features <see cref="Write"/> fills; the line model's summaries follow them.</summary>
        public const int Count = 26;

        public static readonly MemberRisk Empty = new()
        {
            _modelMinCount = double.MaxValue,
            _goodsMinCount = double.MaxValue,
            _riskiestLine = double.MinValue,
        };

        private double _modelMax, _modelSum, _modelWeighted, _modelMinCount, _modelUnseen;
        private double _goodsMax, _goodsSum, _goodsWeighted, _goodsMinCount, _goodsUnseen;
        private double _wordMax, _wordSum, _knownWords;
        private double _categoryRiskMax, _categoryRiskWeighted, _makeRiskMax, _makeRiskWeighted;
        private double _riskWeightedSpend, _riskySpend, _riskyLines, _riskyUnits, _maxRiskyUnits;
        private double _riskiestLine, _riskiestLineQuantity, _riskiestLineAmount;

        public void AddCategory(double risk, double amount)
        {
            _categoryRiskMax = Math.Max(_categoryRiskMax, risk);
            _categoryRiskWeighted += risk * amount;
        }

        public void AddMake(double risk, double amount)
        {
            _makeRiskMax = Math.Max(_makeRiskMax, risk);
            _makeRiskWeighted += risk * amount;
        }

        public void AddModel(double risk, double logCount, double amount)
        {
            _modelMax = Math.Max(_modelMax, risk);
            _modelSum += risk;
            _modelWeighted += risk * amount;
            _modelMinCount = Math.Min(_modelMinCount, logCount);
            _modelUnseen += logCount == 0 ? 1 : 0;
        }

        public void AddGoods(double risk, double logCount, double amount)
        {
            _goodsMax = Math.Max(_goodsMax, risk);
            _goodsSum += risk;
            _goodsWeighted += risk * amount;
            _goodsMinCount = Math.Min(_goodsMinCount, logCount);
            _goodsUnseen += logCount == 0 ? 1 : 0;
        }

        public void AddWord(double risk, bool known)
        {
            _wordMax = Math.Max(_wordMax, risk);
            _wordSum += risk;
            _knownWords += known ? 1 : 0;
        }

        /// <summary>A line whose item (model or goods code, the riskier) has fraud history <paramref name="lineRisk"/>.</summary>
        public void AddLine(double lineRisk, double prior, double amount, int quantity)
        {
            // Value bought of items with a fraud history: the resale-value signal, learnt from labels rather than assumed.
            _riskWeightedSpend += amount * lineRisk / prior;
            var risky = lineRisk > 2 * prior;
            _riskySpend += risky ? amount : 0;
            _riskyLines += risky ? 1 : 0;
            _riskyUnits += risky ? quantity : 0;
            _maxRiskyUnits = Math.Max(_maxRiskyUnits, quantity * lineRisk / prior);
            if (lineRisk > _riskiestLine)
            {
                (_riskiestLine, _riskiestLineQuantity, _riskiestLineAmount) = (lineRisk, quantity, amount);
            }
        }

        public readonly void Write(Span<float> r, int lines, int words, double total, double shareDenominator, double repeatedUnitsSpend, float wordPrior)
        {
            // Spend-weighted means fall back to plain means when every price is 0.
            r[0] = (float)_modelMax;
            r[1] = (float)(_modelSum / lines);
            r[2] = (float)(total > 0 ? _modelWeighted / total : _modelSum / lines);
            r[3] = (float)_modelMinCount;
            r[4] = (float)_modelUnseen;
            r[5] = (float)_goodsMax;
            r[6] = (float)(_goodsSum / lines);
            r[7] = (float)(total > 0 ? _goodsWeighted / total : _goodsSum / lines);
            r[8] = (float)_goodsMinCount;
            r[9] = (float)_goodsUnseen;
            r[10] = words > 0 ? (float)_wordMax : wordPrior;
            r[11] = words > 0 ? (float)(_wordSum / words) : wordPrior;
            r[12] = words > 0 ? (float)_knownWords / words : 0;
            r[13] = (float)_categoryRiskMax;
            r[14] = (float)(total > 0 ? _categoryRiskWeighted / total : _categoryRiskMax);
            r[15] = (float)_makeRiskMax;
            r[16] = (float)(total > 0 ? _makeRiskWeighted / total : _makeRiskMax);
            r[17] = (float)_riskWeightedSpend;
            r[18] = (float)(_riskySpend / shareDenominator);
            r[19] = (float)_riskiestLineQuantity;
            r[20] = (float)_riskiestLineAmount;
            r[21] = (float)repeatedUnitsSpend;
            r[22] = (float)_maxRiskyUnits;
            // Several different high-risk items in one basket, in lines, units and money: a shopping list for resale.
            r[23] = (float)_riskyLines;
            r[24] = (float)_riskyUnits;
            r[25] = (float)_riskySpend;
        }
    }

    /// <summary>
    /// Several members' encoding tables as one: one lookup per key gives an entry whose risk and count for member m
    /// sit at <c>entry·k + m</c>. A key that some member never kept reads as unseen (its prior, count 0) for that
    /// member, exactly as the member's own table would answer. One table is used as it is, without a copy.
    /// </summary>
    private sealed class JointTable
    {
        private readonly int _members;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly float[] _risk;
        private readonly float[] _logCount;
        private readonly float[] _prior;

        private JointTable(Dictionary<string, int> index, float[] risk, float[] logCount, float[] prior)
        {
            _members = prior.Length;
            _lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
            _risk = risk;
            _logCount = logCount;
            _prior = prior;
        }

        public static JointTable Of(EncodingTable[] tables)
        {
            var prior = tables.Select(t => t.Prior).ToArray();
            var index = UnionIndex([.. tables.Select(t => (t.Index, t.Keys))]);
            var risk = Interleave(index, [.. tables.Select(t => (t.Keys, t.Risk))], prior);
            var logCount = Interleave(index, [.. tables.Select(t => (t.Keys, t.LogCount))], new float[tables.Length]);
            return new JointTable(index, risk, logCount, prior);
        }

        /// <summary>The entry of <paramref name="key"/>, or -1 when no member knows it (or it is empty).</summary>
        public int Find(ReadOnlySpan<char> key) => !key.IsEmpty && _lookup.TryGetValue(key, out var e) ? e : -1;

        public float Risk(int entry, int member) => entry < 0 ? _prior[member] : _risk[(entry * _members) + member];

        public float LogCount(int entry, int member) => entry < 0 ? 0 : _logCount[(entry * _members) + member];

        public float Prior(int member) => _prior[member];
    }

    /// <summary>Several members' line models as one table of weights, laid out like <see cref="JointTable"/>.</summary>
    private sealed class JointLineModel
    {
        private readonly int _members;
        private readonly Dictionary<ulong, int> _index;
        private readonly float[] _weights;
        private readonly float[] _bias;

        private JointLineModel(Dictionary<ulong, int> index, float[] weights, float[] bias)
        {
            _members = bias.Length;
            _index = index;
            _weights = weights;
            _bias = bias;
        }

        public static JointLineModel Of(LineRiskModel[] models)
        {
            var index = UnionIndex([.. models.Select(m => (m.Index, m.Keys))]);
            var weights = Interleave(index, [.. models.Select(m => (m.Keys, m.Weights))], new float[models.Length]);
            return new JointLineModel(index, weights, [.. models.Select(m => m.Bias)]);
        }

        public float Bias(int member) => _bias[member];

        /// <summary>Every member's weighted sum of <paramref name="keys"/> into <paramref name="scores"/> (one per member).</summary>
        public void Weigh(ReadOnlySpan<ulong> keys, ReadOnlySpan<float> values, Span<double> scores)
        {
            var k = _members;
            scores[..k].Clear();
            for (var j = 0; j < keys.Length; j++)
            {
                if (_index.TryGetValue(keys[j], out var e))
                {
                    var w = _weights.AsSpan(e * k, k);
                    for (var m = 0; m < k; m++)
                    {
                        scores[m] += w[m] * values[j];
                    }
                }
            }
        }
    }
}

/// <summary>
/// What the first member's tables say of one basket line: its line-model score and the fraud rates of its category,
/// make, model and goods code, and which of its model's words (by position among the words the featurizer reads,
/// -1 when none) has the highest fraud rate, with that rate.
/// </summary>
internal readonly record struct LineFacts(double LineScore, float CategoryRisk, float MakeRisk, float ModelRisk, float GoodsRisk, int RiskiestWord, float RiskiestWordRisk);
