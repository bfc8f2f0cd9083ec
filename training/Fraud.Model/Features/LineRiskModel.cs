using Fraud.Baskets;

namespace Fraud.Model.Features;

/// <summary>
/// A multiple-instance logistic model of basket lines. Each line gets a score <c>s = w · keys(line)</c> (see
/// <see cref="LineKeys"/>) and the basket's log-odds are <c>b + log Σ exp(s)</c>, a soft maximum over its lines.
/// Fitting it on basket labels spreads each fraud over the lines that explain it: an item that merely shares
/// baskets with risky items (and so has a high raw fraud rate, which is what the target encodings measure) gets
/// little weight, while an item that is risky wherever it appears, or risky in several units, gets a lot. The
/// trees receive four summaries of the line scores, not the raw weights.
/// Immutable after fitting and thread-safe; scoring allocates nothing.
/// </summary>
internal sealed class LineRiskModel
{
    /// <summary>Features this model adds to the vector: basket score, riskiest line, second riskiest line, spread.</summary>
    public const int OutputCount = 4;

    /// <summary>The second-riskiest line score of a one-line basket: far below any real line's score.</summary>
    public const float NoSecondLine = -10f;

    private readonly Dictionary<ulong, int> _index;

    private LineRiskModel(ulong[] keys, float[] weights, float bias, int minTokenLength)
    {
        Keys = keys;
        Weights = weights;
        Bias = bias;
        MinTokenLength = minTokenLength;
        _index = new Dictionary<ulong, int>(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            if (!_index.TryAdd(keys[i], i))
            {
                throw new ModelFormatException($"The line model holds the key {keys[i]} twice.");
            }
        }
    }

    public ulong[] Keys { get; }

    /// <summary>Position of each key in <see cref="Keys"/> and <see cref="Weights"/>.</summary>
    public Dictionary<ulong, int> Index => _index;

    public float[] Weights { get; }

    public float Bias { get; }

    public int MinTokenLength { get; }

    /// <summary>The score of one line (log-odds scale, before the basket's soft maximum).</summary>
    public double LineScore(BasketItem item)
    {
        Span<ulong> keys = stackalloc ulong[LineKeys.MaxKeysPerLine];
        Span<float> values = stackalloc float[LineKeys.MaxKeysPerLine];
        return Weigh(keys, values, LineKeys.Collect(item, MinTokenLength, keys, values));
    }

    /// <summary>
    /// Writes the <see cref="OutputCount"/> summaries of a basket's line scores (at least one line): the basket's
    /// log-odds (<paramref name="basketLogOdds"/> — the bias and the basket keys for its size and total — plus the soft
    /// maximum of the lines), the riskiest line, the second riskiest (<see cref="NoSecondLine"/> for a one-line
    /// basket) and the spread above the safest line.
    /// </summary>
    public static void Summarise(ReadOnlySpan<double> lineScores, double basketLogOdds, Span<float> destination)
    {
        double max = double.NegativeInfinity, second = double.NegativeInfinity, min = double.PositiveInfinity;
        foreach (var s in lineScores)
        {
            if (s > max)
            {
                (second, max) = (max, s);
            }
            else if (s > second)
            {
                second = s;
            }

            min = Math.Min(min, s);
        }

        double sum = 0, spread = 0;
        foreach (var s in lineScores)
        {
            sum += Math.Exp(s - max);
            spread += s - min;
        }

        destination[0] = (float)(basketLogOdds + max + Math.Log(sum));
        destination[1] = (float)max;
        destination[2] = lineScores.Length > 1 ? (float)second : NoSecondLine;
        destination[3] = (float)spread;
    }

    private double Weigh(ReadOnlySpan<ulong> keys, ReadOnlySpan<float> values, int count)
    {
        double score = 0;
        for (var k = 0; k < count; k++)
        {
            if (_index.TryGetValue(keys[k], out var i))
            {
                score += Weights[i] * values[k];
            }
        }

        return score;
    }

    public LineRiskModelDto ToDto() => new() { Keys = Keys, Weights = Weights, Bias = Bias };

    public static LineRiskModel FromDto(LineRiskModelDto? dto, int minTokenLength)
    {
        if (dto?.Keys is null || dto.Weights is null)
        {
            throw new ModelFormatException("The featurizer state has no line model.");
        }

        if (dto.Keys.Length != dto.Weights.Length)
        {
            throw new ModelFormatException($"The line model has {dto.Keys.Length} keys but {dto.Weights.Length} weights.");
        }

        if (!float.IsFinite(dto.Bias) || Array.Exists(dto.Weights, w => !float.IsFinite(w)))
        {
            throw new ModelFormatException("The line model holds a weight that is not a finite number.");
        }

        return new LineRiskModel(dto.Keys, dto.Weights, dto.Bias, minTokenLength);
    }

    /// <summary>
    /// Every training basket's lines as key indices and values, encoded once and shared by the per-fold fits.
    /// Keys seen on fewer than <c>minCount</c> lines are dropped (they carry no usable evidence and would only
    /// memorise single baskets).
    /// </summary>
    internal sealed class Encoded
    {
        private Encoded(ulong[] keys, int[] lineStart, int[] entryStart, int[] index, float[] value, int[] basketIndex, float[] basketValue)
        {
            BasketIndex = basketIndex;
            BasketValue = basketValue;
            Keys = keys;
            LineStart = lineStart;
            EntryStart = entryStart;
            Index = index;
            Value = value;
        }

        public ulong[] Keys { get; }

        /// <summary>Basket r's lines are LineStart[r] .. LineStart[r + 1] - 1.</summary>
        public int[] LineStart { get; }

        /// <summary>Line l's entries are EntryStart[l] .. EntryStart[l + 1] - 1.</summary>
        public int[] EntryStart { get; }

        public int[] Index { get; }

        public float[] Value { get; }

        /// <summary>Basket r's own keys are BasketIndex[r * MaxBasketKeys ..] (-1 where the key was dropped).</summary>
        public int[] BasketIndex { get; }

        public float[] BasketValue { get; }

        public static Encoded Build(IReadOnlyList<Basket> baskets, int minTokenLength, int minCount)
        {
            Span<ulong> keys = stackalloc ulong[LineKeys.MaxKeysPerLine];
            Span<float> values = stackalloc float[LineKeys.MaxKeysPerLine];
            var counts = new Dictionary<ulong, int>();
            var lines = 0;
            foreach (var basket in baskets)
            {
                var b = LineKeys.CollectBasket(basket, keys, values);
                for (var k = 0; k < b; k++)
                {
                    counts[keys[k]] = counts.GetValueOrDefault(keys[k]) + 1;
                }

                foreach (var item in basket.Items)
                {
                    lines++;
                    var n = LineKeys.Collect(item, minTokenLength, keys, values);
                    for (var k = 0; k < n; k++)
                    {
                        counts[keys[k]] = counts.GetValueOrDefault(keys[k]) + 1;
                    }
                }
            }

            // Sorted so that the stored model does not depend on dictionary order.
            var kept = counts.Where(p => p.Value >= minCount).Select(p => p.Key).Order().ToArray();
            var position = new Dictionary<ulong, int>(kept.Length);
            for (var i = 0; i < kept.Length; i++)
            {
                position[kept[i]] = i;
            }

            var lineStart = new int[baskets.Count + 1];
            var entryStart = new int[lines + 1];
            var index = new List<int>(lines * 16);
            var value = new List<float>(lines * 16);
            var basketIndex = new int[baskets.Count * LineKeys.MaxBasketKeys];
            var basketValue = new float[baskets.Count * LineKeys.MaxBasketKeys];
            basketIndex.AsSpan().Fill(-1);
            var line = 0;
            for (var r = 0; r < baskets.Count; r++)
            {
                var b = LineKeys.CollectBasket(baskets[r], keys, values);
                for (var k = 0; k < b; k++)
                {
                    if (position.TryGetValue(keys[k], out var p))
                    {
                        basketIndex[(r * LineKeys.MaxBasketKeys) + k] = p;
                        basketValue[(r * LineKeys.MaxBasketKeys) + k] = values[k];
                    }
                }

                lineStart[r] = line;
                foreach (var item in baskets[r].Items)
                {
                    entryStart[line++] = index.Count;
                    var n = LineKeys.Collect(item, minTokenLength, keys, values);
                    for (var k = 0; k < n; k++)
                    {
                        if (position.TryGetValue(keys[k], out var p))
                        {
                            index.Add(p);
                            value.Add(values[k]);
                        }
                    }
                }
            }

            lineStart[baskets.Count] = line;
            entryStart[lines] = index.Count;
            return new Encoded(kept, lineStart, entryStart, [.. index], [.. value], basketIndex, basketValue);
        }
    }

    /// <summary>
    /// Fits the model on the rows whose <paramref name="fold"/> differs from <paramref name="heldOutFold"/> (-1: all
    /// rows) by AdaGrad on the log-loss with L2 shrinkage, visiting rows in an order fixed by <paramref name="seed"/>.
    /// Single-threaded, so the weights depend only on the data, options and seed.
    /// </summary>
    public static LineRiskModel Fit(
        Encoded data, IReadOnlyList<bool> labels, int[] fold, int heldOutFold, FeaturizerOptions options, int seed, CancellationToken cancellationToken)
    {
        var weights = new double[data.Keys.Length];
        var squares = new double[data.Keys.Length];
        var rows = Enumerable.Range(0, labels.Count).Where(r => fold[r] != heldOutFold).ToArray();
        var frauds = rows.Count(r => labels[r]);
        // Start at the fraud rate's log-odds so the first epoch is not spent learning the intercept.
        var rate = (frauds + 1.0) / (rows.Length + 2.0);
        double bias = Math.Log(rate / (1 - rate)), biasSquares = 0;
        var rate0 = options.LineModelLearningRate;
        var l2 = options.LineModelL2;
        var scores = new double[64];
        var random = new Random(seed);
        for (var epoch = 0; epoch < options.LineModelEpochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(rows);
            foreach (var r in rows)
            {
                int first = data.LineStart[r], end = data.LineStart[r + 1], count = end - first;
                if (count == 0)
                {
                    continue;
                }

                if (scores.Length < count)
                {
                    scores = new double[count];
                }

                var max = double.NegativeInfinity;
                for (var l = 0; l < count; l++)
                {
                    double s = 0;
                    for (var e = data.EntryStart[first + l]; e < data.EntryStart[first + l + 1]; e++)
                    {
                        s += weights[data.Index[e]] * data.Value[e];
                    }

                    scores[l] = s;
                    max = Math.Max(max, s);
                }

                double sum = 0;
                for (var l = 0; l < count; l++)
                {
                    sum += Math.Exp(scores[l] - max);
                }

                var pooled = max + Math.Log(sum);
                double basketScore = 0;
                var basketKeys = data.BasketIndex.AsSpan(r * LineKeys.MaxBasketKeys, LineKeys.MaxBasketKeys);
                var basketValues = data.BasketValue.AsSpan(r * LineKeys.MaxBasketKeys, LineKeys.MaxBasketKeys);
                for (var k = 0; k < basketKeys.Length; k++)
                {
                    basketScore += basketKeys[k] < 0 ? 0 : weights[basketKeys[k]] * basketValues[k];
                }

                var p = 1 / (1 + Math.Exp(-(bias + basketScore + pooled)));
                var g = p - (labels[r] ? 1 : 0);
                biasSquares += g * g;
                bias -= rate0 * g / Math.Sqrt(biasSquares + 1e-8);
                for (var k = 0; k < basketKeys.Length; k++)
                {
                    if (basketKeys[k] >= 0)
                    {
                        var j = basketKeys[k];
                        var gj = (g * basketValues[k]) + (l2 * weights[j]);
                        squares[j] += gj * gj;
                        weights[j] -= rate0 * gj / Math.Sqrt(squares[j] + 1e-8);
                    }
                }

                for (var l = 0; l < count; l++)
                {
                    // d pooled / d s_l is the line's share of the soft maximum.
                    var share = g * Math.Exp(scores[l] - pooled);
                    for (var e = data.EntryStart[first + l]; e < data.EntryStart[first + l + 1]; e++)
                    {
                        var j = data.Index[e];
                        var gj = (share * data.Value[e]) + (l2 * weights[j]);
                        squares[j] += gj * gj;
                        weights[j] -= rate0 * gj / Math.Sqrt(squares[j] + 1e-8);
                    }
                }
            }
        }

        return new LineRiskModel(data.Keys, [.. weights.Select(w => (float)w)], (float)bias, options.MinTokenLength);
    }
}

/// <summary>JSON form of a fitted <see cref="LineRiskModel"/>.</summary>
public sealed class LineRiskModelDto
{
    /// <summary>Hashed line keys (see LineKeys), ascending.</summary>
    public ulong[] Keys { get; set; } = [];

    public float[] Weights { get; set; } = [];

    public float Bias { get; set; }
}
