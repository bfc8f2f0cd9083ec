using System.Runtime.InteropServices;

namespace Fraud.Learning;

/// <summary>Sums of gradients, hessians and row count of the rows that fall in one bin.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct HistogramBin
{
    public double Gradient;
    public double Hessian;
    public int Count;
}
