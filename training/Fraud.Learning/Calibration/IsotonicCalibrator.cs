namespace Fraud.Learning;

/// <summary>
/// Isotonic calibration: the non-decreasing step function of the raw score that best fits the labels in squared
/// error, found by pool-adjacent-violators (Ayer et al., 1955; Zadrozny &amp; Elkan, 2002). Between blocks the map
/// is interpolated linearly and outside the fitted range it is clipped, as scikit-learn's
/// <c>IsotonicRegression(out_of_bounds="clip")</c>.
/// </summary>
public sealed class IsotonicCalibrator : ICalibrator
{
    internal const string Kind = "isotonic";

    private readonly double[] _x;
    private readonly double[] _y;

    private IsotonicCalibrator(double[] x, double[] y)
    {
        _x = x;
        _y = y;
    }

    /// <summary>Knots: ascending raw scores.</summary>
    public IReadOnlyList<double> X => _x;

    /// <summary>Knots: non-decreasing probabilities.</summary>
    public IReadOnlyList<double> Y => _y;

    /// <summary>Fits on raw scores and 0/1 labels.</summary>
    public static IsotonicCalibrator Fit(ReadOnlySpan<double> raw, ReadOnlySpan<float> y)
    {
        if (raw.Length != y.Length)
        {
            throw new ArgumentException($"Got {raw.Length} scores but {y.Length} labels.");
        }

        if (raw.IsEmpty)
        {
            throw new ArgumentException("Calibration needs at least one score.", nameof(raw));
        }

        var keys = new double[raw.Length];
        var labels = new double[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            if (!double.IsFinite(raw[i]))
            {
                throw new ArgumentException($"Score {i} is not a finite number.", nameof(raw));
            }

            keys[i] = raw[i];
            labels[i] = y[i] > 0.5f ? 1 : 0;
        }

        Array.Sort(keys, labels);

        // Blocks as a stack: (first score, last score, label sum, weight). Equal scores start in one block, so tied
        // rows always get the same probability whatever their order.
        var lo = new double[raw.Length];
        var hi = new double[raw.Length];
        var sum = new double[raw.Length];
        var weight = new double[raw.Length];
        var blocks = 0;
        var i0 = 0;
        while (i0 < keys.Length)
        {
            var i1 = i0;
            double s = 0;
            while (i1 < keys.Length && keys[i1] == keys[i0])
            {
                s += labels[i1];
                i1++;
            }

            lo[blocks] = keys[i0];
            hi[blocks] = keys[i0];
            sum[blocks] = s;
            weight[blocks] = i1 - i0;
            blocks++;
            // Pool while the previous block's mean exceeds this one's.
            while (blocks > 1 && sum[blocks - 2] * weight[blocks - 1] > sum[blocks - 1] * weight[blocks - 2])
            {
                sum[blocks - 2] += sum[blocks - 1];
                weight[blocks - 2] += weight[blocks - 1];
                hi[blocks - 2] = hi[blocks - 1];
                blocks--;
            }

            i0 = i1;
        }

        var knotX = new List<double>(2 * blocks);
        var knotY = new List<double>(2 * blocks);
        for (var b = 0; b < blocks; b++)
        {
            var value = sum[b] / weight[b];
            knotX.Add(lo[b]);
            knotY.Add(value);
            if (hi[b] > lo[b])
            {
                knotX.Add(hi[b]);
                knotY.Add(value);
            }
        }

        return new IsotonicCalibrator([.. knotX], [.. knotY]);
    }

    /// <inheritdoc/>
    public double Calibrate(double raw)
    {
        if (double.IsNaN(raw))
        {
            return double.NaN;
        }

        if (raw <= _x[0])
        {
            return _y[0];
        }

        var last = _x.Length - 1;
        if (raw >= _x[last])
        {
            return _y[last];
        }

        // First knot above raw; raw lies in [x[j-1], x[j]).
        var j = Array.BinarySearch(_x, raw);
        if (j >= 0)
        {
            return _y[j];
        }

        j = ~j;
        var t = (raw - _x[j - 1]) / (_x[j] - _x[j - 1]);
        return _y[j - 1] + (t * (_y[j] - _y[j - 1]));
    }

    /// <inheritdoc/>
    public CalibratorDto ToDto() => new() { Kind = Kind, X = (double[])_x.Clone(), Y = (double[])_y.Clone() };

    /// <exception cref="InvalidDataException">Missing, unequal, unsorted, non-finite or out-of-range knots.</exception>
    public static IsotonicCalibrator FromDto(CalibratorDto dto)
    {
        if (dto is null || dto.Kind != Kind)
        {
            throw new InvalidDataException($"Expected an '{Kind}' calibrator.");
        }

        var x = dto.X;
        var y = dto.Y;
        if (x is null || y is null || x.Length == 0 || x.Length != y.Length)
        {
            throw new InvalidDataException("Isotonic calibrator needs the same positive number of X and Y knots.");
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (!double.IsFinite(x[i]) || !(y[i] >= 0 && y[i] <= 1))
            {
                throw new InvalidDataException($"Isotonic knot {i} is not a finite score with a probability in [0, 1].");
            }

            if (i > 0 && (x[i] <= x[i - 1] || y[i] < y[i - 1]))
            {
                throw new InvalidDataException($"Isotonic knot {i} breaks the order: X must increase strictly and Y must not decrease.");
            }
        }

        return new IsotonicCalibrator((double[])x.Clone(), (double[])y.Clone());
    }
}
