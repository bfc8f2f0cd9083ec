namespace Fraud.Learning;

/// <summary>
/// Platt scaling: p = σ(Slope · raw + Intercept), fitted by maximum likelihood on held-out scores with Platt's
/// smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2), which keep the fit from over-trusting a small calibration set
/// (Platt, 1999; Newton iteration with backtracking as in Lin, Lin &amp; Weng, 2007).
/// </summary>
public sealed class PlattCalibrator : ICalibrator
{
    internal const string Kind = "platt";

    private PlattCalibrator(double slope, double intercept)
    {
        Slope = slope;
        Intercept = intercept;
    }

    public double Slope { get; }

    public double Intercept { get; }

    /// <summary>Fits on raw scores and 0/1 labels.</summary>
    public static PlattCalibrator Fit(ReadOnlySpan<double> raw, ReadOnlySpan<float> y)
    {
        if (raw.Length != y.Length)
        {
            throw new ArgumentException($"Got {raw.Length} scores but {y.Length} labels.");
        }

        if (raw.IsEmpty)
        {
            throw new ArgumentException("Calibration needs at least one score.", nameof(raw));
        }

        double positives = 0;
        foreach (var label in y)
        {
            positives += label > 0.5f ? 1 : 0;
        }

        var negatives = raw.Length - positives;
        var high = (positives + 1) / (positives + 2);
        var low = 1 / (negatives + 2);

        double a = 0, b = Math.Log((positives + 1) / (negatives + 1));
        var loss = Loss(raw, y, a, b, high, low);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            // Gradient and Hessian of the negative log-likelihood in (a, b).
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var p = Sigmoid((a * raw[i]) + b);
                var d = p - (y[i] > 0.5f ? high : low);
                var w = Math.Max(p * (1 - p), 1e-12);
                ga += d * raw[i];
                gb += d;
                haa += w * raw[i] * raw[i];
                hab += w * raw[i];
                hbb += w;
            }

            if (Math.Abs(ga) < 1e-9 * raw.Length && Math.Abs(gb) < 1e-9 * raw.Length)
            {
                break;
            }

            // A tiny ridge keeps the 2x2 system solvable when every score is equal.
            haa += 1e-12;
            hbb += 1e-12;
            var det = (haa * hbb) - (hab * hab);
            var da = -((hbb * ga) - (hab * gb)) / det;
            var db = -((haa * gb) - (hab * ga)) / det;
            var step = 1.0;
            var improved = false;
            while (step > 1e-10)
            {
                var candidate = Loss(raw, y, a + (step * da), b + (step * db), high, low);
                if (candidate < loss + (1e-4 * step * ((ga * da) + (gb * db))))
                {
                    a += step * da;
                    b += step * db;
                    loss = candidate;
                    improved = true;
                    break;
                }

                step /= 2;
            }

            if (!improved)
            {
                break;
            }
        }

        if (a < 0)
        {
            // Scores that rank backwards carry no usable signal for a monotone map: fall back to the smoothed prior.
            var prior = ((positives * high) + (negatives * low)) / raw.Length;
            return new PlattCalibrator(0, Math.Log(prior / (1 - prior)));
        }

        return new PlattCalibrator(a, b);
    }

    /// <inheritdoc/>
    public double Calibrate(double raw) => Sigmoid((Slope * raw) + Intercept);

    /// <inheritdoc/>
    public CalibratorDto ToDto() => new() { Kind = Kind, Slope = Slope, Intercept = Intercept };

    /// <exception cref="InvalidDataException">Non-finite parameters or a decreasing map.</exception>
    public static PlattCalibrator FromDto(CalibratorDto dto)
    {
        if (dto is null || dto.Kind != Kind)
        {
            throw new InvalidDataException($"Expected a '{Kind}' calibrator.");
        }

        if (!double.IsFinite(dto.Slope) || !double.IsFinite(dto.Intercept))
        {
            throw new InvalidDataException("Platt calibrator parameters must be finite numbers.");
        }

        if (dto.Slope < 0)
        {
            throw new InvalidDataException("Platt calibrator slope is negative: higher scores would mean lower probabilities.");
        }

        return new PlattCalibrator(dto.Slope, dto.Intercept);
    }

    private static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    private static double Loss(ReadOnlySpan<double> raw, ReadOnlySpan<float> y, double a, double b, double high, double low)
    {
        double loss = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var z = (a * raw[i]) + b;
            var t = y[i] > 0.5f ? high : low;
            // -[t log σ(z) + (1-t) log(1-σ(z))] = softplus(z) - t z, stable for large |z|.
            var softplus = z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
            loss += softplus - (t * z);
        }

        return loss;
    }
}
