namespace Fraud.Learning;

/// <summary>The best split found for one leaf (or one feature of it); right-hand sums are parent minus left.</summary>
internal struct SplitCandidate
{
    public double Gain;
    public int Feature;
    public int Bin;
    public bool DefaultLeft;
    public double LeftGradient;
    public double LeftHessian;
    public int LeftCount;

    public static SplitCandidate None => new() { Gain = double.NegativeInfinity, Feature = -1 };

    public readonly bool IsValid => Feature >= 0 && Gain > 0;
}
