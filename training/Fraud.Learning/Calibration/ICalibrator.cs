namespace Fraud.Learning;

/// <summary>Maps a raw model score (log-odds) to a calibrated probability; monotone non-decreasing.</summary>
public interface ICalibrator
{
    /// <summary>The calibrated probability of a raw score.</summary>
    double Calibrate(double raw);

    /// <summary>A serialisable copy; <see cref="Calibrators.FromDto"/> restores it.</summary>
    CalibratorDto ToDto();
}

/// <summary>Serialisable calibrator: <c>Kind</c> is "platt" (uses Slope, Intercept) or "isotonic" (uses X, Y).</summary>
public sealed class CalibratorDto
{
    public string Kind { get; set; } = "";

    public double Slope { get; set; }

    public double Intercept { get; set; }

    /// <summary>Isotonic knots: ascending raw scores.</summary>
    public double[]? X { get; set; }

    /// <summary>Isotonic knots: non-decreasing probabilities, one per <see cref="X"/>.</summary>
    public double[]? Y { get; set; }
}

/// <summary>Restores calibrators from their DTOs.</summary>
public static class Calibrators
{
    /// <exception cref="InvalidDataException">Unknown kind or inconsistent parameters.</exception>
    public static ICalibrator FromDto(CalibratorDto dto) => dto?.Kind switch
    {
        PlattCalibrator.Kind => PlattCalibrator.FromDto(dto),
        IsotonicCalibrator.Kind => IsotonicCalibrator.FromDto(dto),
        null => throw new InvalidDataException("The calibrator is missing."),
        _ => throw new InvalidDataException($"Unknown calibrator kind '{dto.Kind}'; expected '{PlattCalibrator.Kind}' or '{IsotonicCalibrator.Kind}'."),
    };
}
