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

    /// <summary>
    /// The PSI two samples of the same population show on average: PSI is the symmetrised Kullback–Leibler divergence
    /// (Jeffreys), and n_eff · PSI with n_eff = n·m/(n+m) is asymptotically χ² with bins − 1 degrees of freedom
    /// under no drift, so E[PSI] ≈ (bins − 1)·(1/n + 1/m). With one member's few thousand held-out rows against a
    /// 2,000-basket window this bias alone reaches the 0.1 warning level on a sparse 10-bin column only when n is
    /// in the hundreds, but it is never zero, and thresholds are read over it.
    /// </summary>
    public static double ExpectedPsi(int bins, double referenceCount, double currentCount) =>
        bins <= 1 || referenceCount <= 0 || currentCount <= 0 ? 0 : (bins - 1) * ((1 / referenceCount) + (1 / currentCount));

    /// <summary>
    /// One-sided z-score of a PSI under no drift: n_eff · PSI against χ²(bins − 1), turned into a standard normal
    /// deviate with the Wilson–Hilferty cube-root approximation. Above 3.1 the PSI is beyond what sampling gives
    /// one time in a thousand.
    /// </summary>
    public static double PsiZ(double psi, int bins, double referenceCount, double currentCount)
    {
        if (bins <= 1 || referenceCount <= 0 || currentCount <= 0)
        {
            return 0;
        }

        var k = bins - 1.0;
        var x = psi * referenceCount * currentCount / (referenceCount + currentCount);
        var h = 2.0 / (9.0 * k);
        return (Math.Cbrt(x / k) - (1 - h)) / Math.Sqrt(h);
    }

    /// <summary>Bins holding any reference or current count: the degrees of freedom a PSI really has, plus one.</summary>
    public static int OccupiedBins(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        var bins = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            bins += reference[i] > 0 || current[i] > 0 ? 1 : 0;
        }

        return bins;
    }

    /// <summary>
    /// The standard normal quantile Φ⁻¹(p) for 0 &lt; p &lt; 1 (Acklam's rational approximation, relative error
    /// below 1.2e-9), used to turn a false-alarm rate into a number of standard deviations.
    /// </summary>
    public static double NormalQuantile(double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1.0);
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double Low = 0.02425;
        if (p < Low || p > 1 - Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p < Low ? p : 1 - p));
            var tail = Horner(c, q) / ((Horner(d, q) * q) + 1);
            return p < Low ? tail : -tail;
        }

        var r = p - 0.5;
        var s = r * r;
        return Horner(a, s) * r / ((Horner(b, s) * s) + 1);
    }

    private static double Horner(ReadOnlySpan<double> coefficients, double x)
    {
        var value = 0.0;
        foreach (var coefficient in coefficients)
        {
            value = (value * x) + coefficient;
        }

        return value;
    }

    /// <summary>Upper tail 1 − Φ(z) of the standard normal (Abramowitz–Stegun 7.1.26 on erfc, error below 1.5e-7).</summary>
    public static double NormalUpperTail(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + (0.3275911 * x));
        var erfc = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429)))))))) * Math.Exp(-x * x);
        return z >= 0 ? erfc / 2 : 1 - (erfc / 2);
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
