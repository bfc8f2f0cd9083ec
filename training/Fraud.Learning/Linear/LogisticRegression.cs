namespace Fraud.Learning;

/// <summary>
/// L2-regularised logistic regression on standardised features, the baseline the trees must beat. Missing values
/// are imputed with the training mean (0 after standardising), so they contribute nothing. Fitted by L-BFGS; the
/// loss is summed over fixed row chunks in a fixed order, so the fit does not depend on the thread count.
/// </summary>
public sealed class LogisticRegression
{
    private const int ChunkRows = 4096;

    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[] _weights;

    private LogisticRegression(double[] means, double[] scales, double[] weights, double intercept)
    {
        _means = means;
        _scales = scales;
        _weights = weights;
        Intercept = intercept;
    }

    /// <summary>Length of the feature vector the model expects.</summary>
    public int FeatureCount => _weights.Length;

    /// <summary>Intercept in log-odds.</summary>
    public double Intercept { get; }

    /// <summary>Weights on standardised features (log-odds per standard deviation).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Trains on 0/1 labels.</summary>
    public static LogisticRegression Train(FeatureMatrix x, float[] y, LogisticOptions? options = null) => Train(x, y, options, consume: false);

    /// <summary>
    /// Trains on 0/1 labels like <see cref="Train(FeatureMatrix, float[], LogisticOptions?)"/>, with the same result to
    /// the last bit, but standardises <paramref name="x"/>'s values in place instead of in a copy: for a caller that has
    /// no further use for the matrix, training then needs no second matrix-sized array (at 760,000 rows of 160 features,
    /// 486 MB less). <paramref name="x"/> holds standardised values afterwards.
    /// </summary>
    public static LogisticRegression TrainConsuming(FeatureMatrix x, float[] y, LogisticOptions? options = null) => Train(x, y, options, consume: true);

    private static LogisticRegression Train(FeatureMatrix x, float[] y, LogisticOptions? options, bool consume)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new LogisticOptions();
        options.Validate();
        if (y.Length != x.Rows || x.Rows == 0)
        {
            throw new ArgumentException($"Expected one label per row for {x.Rows} rows (at least one), got {y.Length}.", nameof(y));
        }

        for (var i = 0; i < y.Length; i++)
        {
            if (y[i] is not (0f or 1f))
            {
                throw new ArgumentException($"Label {i} is {y[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; labels must be 0 or 1.", nameof(y));
            }
        }

        var (means, scales) = Standardisation(x);
        var features = x.Columns;
        // Standardised once, so each of the ~100 loss evaluations is a plain multiply-add over floats.
        // Each value is read before it is overwritten (same element), so in place gives the same floats as a copy.
        var standard = consume ? x.Values : new float[x.Values.Length];
        for (var r = 0; r < x.Rows; r++)
        {
            var row = x.Values.AsSpan(r * features, features);
            var target = standard.AsSpan(r * features, features);
            for (var j = 0; j < features; j++)
            {
                target[j] = (float)Standardise(row[j], means[j], scales[j]);
            }
        }

        var threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        var chunks = Parallelism.ChunkCount(x.Rows, ChunkRows);
        var partialGradients = new double[chunks][];
        var partialLoss = new double[chunks];
        var totalWeight = 0.0;
        foreach (var label in y)
        {
            totalWeight += label > 0.5f ? options.PositiveWeight : 1;
        }

        // Parameters: weights then intercept. Objective: weighted mean log-loss + ½ L2 ‖w‖².
        double Objective(double[] theta, double[] gradient)
        {
            Parallelism.For(chunks, threads, c =>
            {
                var g = partialGradients[c] ??= new double[features + 1];
                Array.Clear(g);
                double loss = 0;
                var end = Math.Min(x.Rows, (c + 1) * ChunkRows);
                for (var r = c * ChunkRows; r < end; r++)
                {
                    var row = standard.AsSpan(r * features, features);
                    var z = theta[features];
                    for (var j = 0; j < features; j++)
                    {
                        z += theta[j] * row[j];
                    }

                    var positive = y[r] > 0.5f;
                    var w = positive ? options.PositiveWeight : 1;
                    var softplus = z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
                    loss += w * (softplus - (positive ? z : 0));
                    var d = w * ((1 / (1 + Math.Exp(-z))) - (positive ? 1 : 0));
                    for (var j = 0; j < features; j++)
                    {
                        g[j] += d * row[j];
                    }

                    g[features] += d;
                }

                partialLoss[c] = loss;
            });

            Array.Clear(gradient);
            double total = 0;
            for (var c = 0; c < chunks; c++)
            {
                total += partialLoss[c];
                var g = partialGradients[c];
                for (var j = 0; j <= features; j++)
                {
                    gradient[j] += g[j];
                }
            }

            total /= totalWeight;
            for (var j = 0; j <= features; j++)
            {
                gradient[j] /= totalWeight;
            }

            for (var j = 0; j < features; j++)
            {
                total += 0.5 * options.L2 * theta[j] * theta[j];
                gradient[j] += options.L2 * theta[j];
            }

            return total;
        }

        var parameters = new double[features + 1];
        Lbfgs.Minimize(Objective, parameters, options.MaxIterations, options.Tolerance);
        return new LogisticRegression(means, scales, parameters[..features], parameters[features]);
    }

    /// <summary>Raw score (log-odds) of one row.</summary>
    public double PredictRaw(ReadOnlySpan<float> row)
    {
        if (row.Length != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features, got {row.Length}.", nameof(row));
        }

        var z = Intercept;
        for (var j = 0; j < row.Length; j++)
        {
            z += _weights[j] * Standardise(row[j], _means[j], _scales[j]);
        }

        return z;
    }

    /// <summary>Raw scores of every row.</summary>
    public void PredictRaw(FeatureMatrix x, Span<double> output)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (output.Length < x.Rows)
        {
            throw new ArgumentException($"Output holds {output.Length} scores but the matrix has {x.Rows} rows.", nameof(output));
        }

        for (var r = 0; r < x.Rows; r++)
        {
            output[r] = PredictRaw(x.Values.AsSpan(r * x.Columns, x.Columns));
        }
    }

    public LogisticRegressionDto ToDto() => new()
    {
        Means = (double[])_means.Clone(),
        Scales = (double[])_scales.Clone(),
        Weights = (double[])_weights.Clone(),
        Intercept = Intercept,
    };

    /// <exception cref="InvalidDataException">Missing or unequal arrays, or non-finite numbers.</exception>
    public static LogisticRegression FromDto(LogisticRegressionDto dto)
    {
        if (dto?.Means is null || dto.Scales is null || dto.Weights is null)
        {
            throw new InvalidDataException("The logistic regression is missing its means, scales or weights.");
        }

        var n = dto.Weights.Length;
        if (n == 0 || dto.Means.Length != n || dto.Scales.Length != n)
        {
            throw new InvalidDataException($"The logistic regression has {dto.Means.Length} means, {dto.Scales.Length} scales and {n} weights; they must be equal and positive.");
        }

        for (var j = 0; j < n; j++)
        {
            if (!double.IsFinite(dto.Means[j]) || !double.IsFinite(dto.Scales[j]) || !double.IsFinite(dto.Weights[j]) || dto.Scales[j] < 0)
            {
                throw new InvalidDataException($"Logistic regression feature {j} has a non-finite or negative parameter.");
            }
        }

        if (!double.IsFinite(dto.Intercept))
        {
            throw new InvalidDataException("The logistic regression intercept is not a finite number.");
        }

        return new LogisticRegression((double[])dto.Means.Clone(), (double[])dto.Scales.Clone(), (double[])dto.Weights.Clone(), dto.Intercept);
    }

    private static double Standardise(float value, double mean, double scale) => float.IsNaN(value) ? 0 : (value - mean) * scale;

    private static (double[] Means, double[] Scales) Standardisation(FeatureMatrix x)
    {
        var features = x.Columns;
        var sums = new double[features];
        var counts = new double[features];
        for (var r = 0; r < x.Rows; r++)
        {
            var row = x.Values.AsSpan(r * features, features);
            for (var j = 0; j < features; j++)
            {
                if (!float.IsNaN(row[j]))
                {
                    sums[j] += row[j];
                    counts[j]++;
                }
            }
        }

        var means = new double[features];
        for (var j = 0; j < features; j++)
        {
            means[j] = counts[j] > 0 ? sums[j] / counts[j] : 0;
        }

        var squares = new double[features];
        for (var r = 0; r < x.Rows; r++)
        {
            var row = x.Values.AsSpan(r * features, features);
            for (var j = 0; j < features; j++)
            {
                if (!float.IsNaN(row[j]))
                {
                    var d = row[j] - means[j];
                    squares[j] += d * d;
                }
            }
        }

        var scales = new double[features];
        for (var j = 0; j < features; j++)
        {
            var std = counts[j] > 0 ? Math.Sqrt(squares[j] / counts[j]) : 0;
            // A constant (or all-missing) feature carries no signal; scale 0 removes it instead of dividing by zero.
            scales[j] = std > 1e-12 && double.IsFinite(std) ? 1 / std : 0;
        }

        return (means, scales);
    }
}
