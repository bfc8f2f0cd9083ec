namespace Fraud.Model.Drift;

/// <summary>The two statistics of the drift check: population stability index and Kolmogorov–Smirnov.</summary>
public static class DriftStatistics
{
    /// <summary>
    /// PSI = Σ (a − e) · ln(a / e) over bins, with a and e the current and reference shares. Shares are floored at
    /// <paramref name="epsilon"/> so an empty bin contributes a large finite term rather than infinity.
    /// Both spans hold counts; missing values form a bin of their own when the caller includes them.
    /// </summary>
    public static double Psi(ReadOnlySpan<long> reference, ReadOnlySpan<long> current, double epsilon)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException("Reference and current need the same bins.", nameof(current));
        }

        double refTotal = 0, curTotal = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            refTotal += reference[i];
            curTotal += current[i];
        }

        if (refTotal == 0 || curTotal == 0)
        {
            return 0;
        }

        double psi = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            var e = Math.Max(reference[i] / refTotal, epsilon);
            var a = Math.Max(current[i] / curTotal, epsilon);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>Index of the bin of <paramref name="value"/>: the first edge at or above it, or past the last edge.</summary>
    public static int BinOf(ReadOnlySpan<double> edges, double value)
    {
        int lo = 0, hi = edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (edges[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Asymptotic p-value of a two-sample KS statistic <paramref name="d"/> with sample sizes <paramref name="n"/> and
    /// <paramref name="m"/>: Q_KS(λ) with λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, nₑ = nm/(n+m) (Stephens' approximation,
    /// as given in Numerical Recipes §14.3).
    /// </summary>
    public static double KsPValue(double d, long n, long m)
    {
        if (n <= 0 || m <= 0)
        {
            return 1.0;
        }

        var en = Math.Sqrt(n * (double)m / (n + m));
        var lambda = (en + 0.12 + (0.11 / en)) * d;
        if (lambda < 1e-3)
        {
            return 1.0;
        }

        // Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²); the series converges fast except near λ = 0, handled above.
        double sum = 0, sign = 1;
        for (var j = 1; j <= 100; j++)
        {
            var term = sign * Math.Exp(-2.0 * j * j * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12 * Math.Abs(sum))
            {
                break;
            }

            sign = -sign;
        }

        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>Status word for a PSI under <paramref name="options"/>: <c>ok</c>, <c>warn</c> or <c>alert</c>.</summary>
    public static string StatusOf(double psi, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return psi >= options.AlertPsi ? DriftStatus.Alert : psi >= options.WarnPsi ? DriftStatus.Warn : DriftStatus.Ok;
    }
}

/// <summary>The three levels a PSI is read at.</summary>
public static class DriftStatus
{
    public const string Ok = "ok";
    public const string Warn = "warn";
    public const string Alert = "alert";
}
