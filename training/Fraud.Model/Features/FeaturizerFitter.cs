using Fraud.Baskets;

namespace Fraud.Model.Features;

/// <summary>
/// Fits a <see cref="BasketFeaturizer"/> on labelled training baskets and featurizes those same baskets
/// out-of-fold: each training row's target encodings come from the other folds only, so no row's label
/// reaches its own features (the leak that makes in-sample target encoding look better than it is).
/// </summary>
public static class FeaturizerFitter
{
    /// <summary>
    /// The category and make vocabularies (the values that get their own units and spend columns) and the line-price
    /// bands (<see cref="PriceBands"/>) of <paramref name="baskets"/>. They use no labels, so one vocabulary can be fitted on every non-test row and shared
    /// by the members of an ensemble, which then all write the same feature layout.
    /// </summary>
    public static FeatureVocabulary FitVocabulary(IReadOnlyList<Basket> baskets, FeaturizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var categories = new KeyCounter(1);
        var makes = new KeyCounter(1);
        var prices = new List<double>(baskets.Count * 3);
        Span<char> buffer = stackalloc char[TextKeys.MaxKeyLength];
        foreach (var basket in baskets)
        {
            foreach (var item in basket.Items)
            {
                categories.Add(buffer[..TextKeys.NormalizeCategory(item.Item, buffer)], 0, false);
                makes.Add(TextKeys.Trim(item.Make), 0, false);
                var price = LineKeys.Price(item);
                if (price > 0)
                {
                    prices.Add(price);
                }
            }
        }

        return new FeatureVocabulary(
            categories.FrequentKeys(options.MinVocabularyBaskets, options.MaxCategories),
            makes.FrequentKeys(options.MinVocabularyBaskets, options.MaxMakes),
            PriceBands.Fit(prices, options.PriceBands, options.PriceDeciles));
    }

    /// <summary>
    /// Returns the featurizer that scoring uses (encodings from every training row) and the training rows'
    /// features (row-major, <c>baskets.Count × FeatureCount</c>) with out-of-fold encodings. Without
    /// <paramref name="vocabulary"/> the category and make vocabularies come from <paramref name="baskets"/>.
    /// </summary>
    public static (BasketFeaturizer Featurizer, float[] TrainingFeatures) FitTransform(
        IReadOnlyList<Basket> baskets,
        IReadOnlyList<bool> labels,
        FeaturizerOptions options,
        int seed,
        FeatureVocabulary? vocabulary = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (baskets.Count != labels.Count)
        {
            throw new ArgumentException($"{baskets.Count} baskets but {labels.Count} labels.", nameof(labels));
        }

        if (baskets.Count < options.Folds)
        {
            throw new ArgumentException($"At least {options.Folds} training baskets are needed; got {baskets.Count}.", nameof(baskets));
        }

        var folds = options.Folds;
        var fold = StratifiedFolds(labels, folds, seed);
        var models = new KeyCounter(folds);
        var goods = new KeyCounter(folds);
        var words = new KeyCounter(folds);
        var categories = new KeyCounter(folds);
        var makes = new KeyCounter(folds);
        var foldFrauds = new int[folds];
        var foldRows = new int[folds];

        // The line model's encoding of the baskets reads only the baskets, so it is built on another thread while this
        // one counts the encodings' keys (each single-threaded; together they were a one-core stretch of every member).
        var encoding = Task.Run(() => LineRiskModel.Encoded.Build(baskets, options.MinTokenLength, options.MinEncodingCount), cancellationToken);
        Span<char> buffer = stackalloc char[TextKeys.MaxKeyLength];
        for (var r = 0; r < baskets.Count; r++)
        {
            var f = fold[r];
            var y = labels[r];
            foldRows[f]++;
            foldFrauds[f] += y ? 1 : 0;
            foreach (var item in baskets[r].Items)
            {
                categories.Add(buffer[..TextKeys.NormalizeCategory(item.Item, buffer)], f, y);
                makes.Add(TextKeys.Trim(item.Make), f, y);
                var model = TextKeys.Trim(item.Model);
                models.Add(model, f, y);
                var position = 0;
                while (TextKeys.NextToken(model, ref position, options.MinTokenLength, out var word))
                {
                    words.Add(word, f, y);
                }

                goods.Add(TextKeys.Trim(item.GoodsCode), f, y);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var shared = vocabulary ?? FitVocabulary(baskets, options);
        var counters = new[] { models, goods, words, categories, makes };
        var keys = counters.Select(c => c.FrequentKeys(options.MinEncodingCount)).ToArray();
        var indexes = keys.Select(EncodingTable.BuildIndex).ToArray();

        // The line model, like the encodings, is fitted once on every training row (for scoring) and once per
        // fold without that fold (for the fold's own training rows). The fits are independent, so they run in
        // parallel without changing any result.
        LineRiskModel.Encoded? lines = encoding.GetAwaiter().GetResult();
        var lineModels = new LineRiskModel[folds + 1];
        Parallel.For(
            0,
            folds + 1,
            new ParallelOptions { CancellationToken = cancellationToken },
            i => lineModels[i] = LineRiskModel.Fit(lines!, labels, fold, i == folds ? -1 : i, options, unchecked((seed * 31) + i), cancellationToken));

        BasketFeaturizer Build(int heldOut)
        {
            var frauds = heldOut < 0 ? foldFrauds.Sum() : foldFrauds.Sum() - foldFrauds[heldOut];
            var rows = heldOut < 0 ? baskets.Count : baskets.Count - foldRows[heldOut];
            var prior = (frauds + 1.0) / (rows + 2.0);
            var t = new EncodingTable[counters.Length];
            for (var i = 0; i < counters.Length; i++)
            {
                t[i] = counters[i].Build(keys[i], indexes[i], options.MinEncodingCount, options.Smoothing, prior, heldOut);
            }

            var lineModel = lineModels[heldOut < 0 ? folds : heldOut];
            return new BasketFeaturizer(
                shared.Categories, shared.Makes, shared.PriceBands, t[0], t[1], t[2], t[3], t[4], lineModel, options.MinTokenLength,
                shared.PriceBands.DecileBounds.Length > 0 ? BasketFeaturizer.CurrentVersion : BasketFeaturizer.DefaultVersion);
        }

        lines = null; // fitted: the encoded lines are not needed below, so the matrix need not sit beside them
        var final = Build(-1);
        var perFold = Enumerable.Range(0, folds).Select(Build).ToArray();
        var width = final.FeatureCount;
        var values = new float[(long)baskets.Count * width];
        // Rows are independent and each writes only its own slice, so featurizing on every core gives the same values;
        // on one thread this loop was a large share of a member's wall time (docs/performance.md, "How cost grows").
        const int Chunk = 4096;
        Parallel.For(
            0,
            (baskets.Count + Chunk - 1) / Chunk,
            new ParallelOptions { CancellationToken = cancellationToken },
            c =>
            {
                var end = Math.Min(baskets.Count, (c + 1) * Chunk);
                for (var r = c * Chunk; r < end; r++)
                {
                    perFold[fold[r]].Featurize(baskets[r], values.AsSpan(r * width, width));
                }
            });

        return (final, values);
    }

    /// <summary>Assigns rows to folds so each fold gets the same share of frauds; the order depends only on the seed.</summary>
    internal static int[] StratifiedFolds(IReadOnlyList<bool> labels, int folds, int seed)
    {
        var fold = new int[labels.Count];
        var random = new Random(seed);
        foreach (var positive in new[] { true, false })
        {
            var rows = Enumerable.Range(0, labels.Count).Where(i => labels[i] == positive).ToArray();
            random.Shuffle(rows);
            for (var i = 0; i < rows.Length; i++)
            {
                fold[rows[i]] = i % folds;
            }
        }

        return fold;
    }
}

/// <summary>Category and make vocabularies (normalised keys, most frequent first; other values are pooled) and the line-price bands.</summary>
public sealed record FeatureVocabulary(string[] Categories, string[] Makes, PriceBands PriceBands);
