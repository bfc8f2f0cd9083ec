namespace Fraud.Learning;

/// <summary>Hyper-parameters of <see cref="LogisticRegression"/>.</summary>
public sealed record LogisticOptions
{
    /// <summary>L2 penalty ½·L2·‖w‖² added to the mean log-loss (the intercept is not penalised).</summary>
    public double L2 { get; init; } = 1e-4;

    /// <summary>Maximum L-BFGS iterations.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when the gradient's largest component falls below this.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Weight of each positive example in the loss.</summary>
    public double PositiveWeight { get; init; } = 1.0;

    /// <summary>Worker threads; 0 means <see cref="Environment.ProcessorCount"/>. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!double.IsFinite(L2) || L2 < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(L2), L2, "L2 must be a non-negative finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxIterations);
        if (!double.IsFinite(Tolerance) || Tolerance <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be a positive finite number.");
        }

        if (!double.IsFinite(PositiveWeight) || PositiveWeight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PositiveWeight), PositiveWeight, "PositiveWeight must be a positive finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
    }
}

/// <summary>Serialisable form of a <see cref="LogisticRegression"/>.</summary>
public sealed class LogisticRegressionDto
{
    /// <summary>Per-feature mean used for centring and for imputing missing values.</summary>
    public double[] Means { get; set; } = [];

    /// <summary>Per-feature 1/standard deviation (0 for a constant feature).</summary>
    public double[] Scales { get; set; } = [];

    /// <summary>Weights on standardised features.</summary>
    public double[] Weights { get; set; } = [];

    public double Intercept { get; set; }
}
