using System.Runtime.InteropServices;

namespace Fraud.Learning;

/// <summary>One node of the flattened ensemble, packed so that a traversal step touches one cache line.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PredictionNode
{
    /// <summary>Split feature, or -1 for a leaf.</summary>
    public int Feature;
    public float Threshold;
    public int Left;
    public int Right;

    /// <summary>The child a missing value goes to (Left or Right).</summary>
    public int Missing;
}
