namespace Fraud.Learning;

/// <summary>
/// Limited-memory BFGS (Liu &amp; Nocedal, 1989; two-loop recursion from Nocedal &amp; Wright, 2006, Algorithm 7.4)
/// with a backtracking Armijo line search. Deterministic: no randomness, and the objective is expected to be too.
/// </summary>
internal static class Lbfgs
{
    private const int Memory = 10;

    /// <summary>Objective: writes the gradient at <c>x</c> and returns the value.</summary>
    public delegate double Objective(double[] x, double[] gradient);

    public static void Minimize(Objective objective, double[] x, int maxIterations, double tolerance)
    {
        var n = x.Length;
        var g = new double[n];
        var candidate = new double[n];
        var candidateGradient = new double[n];
        var direction = new double[n];
        var s = new double[Memory][];
        var y = new double[Memory][];
        var rho = new double[Memory];
        var alpha = new double[Memory];
        for (var m = 0; m < Memory; m++)
        {
            s[m] = new double[n];
            y[m] = new double[n];
        }

        var f = objective(x, g);
        var stored = 0;
        for (var iteration = 0; iteration < maxIterations && MaxAbs(g) > tolerance; iteration++)
        {
            // Two-loop recursion: direction = -H·g with H the implicit inverse-Hessian estimate.
            Array.Copy(g, direction, n);
            for (var k = stored - 1; k >= Math.Max(0, stored - Memory); k--)
            {
                var slot = k % Memory;
                alpha[slot] = rho[slot] * Dot(s[slot], direction);
                Axpy(-alpha[slot], y[slot], direction);
            }

            if (stored > 0)
            {
                var last = (stored - 1) % Memory;
                Scale(direction, 1 / (rho[last] * Dot(y[last], y[last])));
            }

            for (var k = Math.Max(0, stored - Memory); k < stored; k++)
            {
                var slot = k % Memory;
                var beta = rho[slot] * Dot(y[slot], direction);
                Axpy(alpha[slot] - beta, s[slot], direction);
            }

            Scale(direction, -1);
            var slope = Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                Array.Copy(g, direction, n);
                Scale(direction, -1);
                slope = Dot(g, direction);
                stored = 0;
            }

            var step = stored == 0 ? Math.Min(1, 1 / Math.Max(1e-12, Math.Sqrt(-slope))) : 1.0;
            double fNew;
            while (true)
            {
                for (var i = 0; i < n; i++)
                {
                    candidate[i] = x[i] + (step * direction[i]);
                }

                fNew = objective(candidate, candidateGradient);
                if (fNew <= f + (1e-4 * step * slope) || step < 1e-12)
                {
                    break;
                }

                step /= 2;
            }

            if (!(fNew < f))
            {
                return;
            }

            var next = stored % Memory;
            for (var i = 0; i < n; i++)
            {
                s[next][i] = candidate[i] - x[i];
                y[next][i] = candidateGradient[i] - g[i];
            }

            var sy = Dot(s[next], y[next]);
            Array.Copy(candidate, x, n);
            Array.Copy(candidateGradient, g, n);
            var relative = (f - fNew) / Math.Max(1, Math.Abs(f));
            f = fNew;
            if (sy > 1e-12)
            {
                rho[next] = 1 / sy;
                stored++;
            }

            // The relative decrease is what a baseline needs; chasing the last digits costs whole passes over the data.
            if (relative < tolerance * 0.1)
            {
                return;
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(double[] x, double a)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }

    private static double MaxAbs(double[] x)
    {
        double max = 0;
        foreach (var v in x)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }
}
