using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fraud.Learning;

/// <summary>
/// Gradient/hessian histograms of one leaf, one feature at a time. Each feature's histogram is summed by one thread
/// in row order, so the floating-point result is the same for any number of threads.
/// </summary>
internal static class HistogramBuilder
{
    /// <summary>
    /// Accumulates the rows of a leaf. <paramref name="orderedGradients"/>[i] belongs to row <paramref name="rows"/>[i]
    /// (LightGBM's "ordered gradients": gathered once per leaf so the inner loop reads them sequentially).
    /// </summary>
    public static void Build(
        ReadOnlySpan<byte> column,
        ReadOnlySpan<int> rows,
        ReadOnlySpan<double> orderedGradients,
        ReadOnlySpan<double> orderedHessians,
        Span<HistogramBin> histogram)
    {
        histogram.Clear();
        ref var hist = ref MemoryMarshal.GetReference(histogram);
        ref var col = ref MemoryMarshal.GetReference(column);
        var n = rows.Length;
        for (var i = 0; i < n; i++)
        {
            int bin = Unsafe.Add(ref col, rows[i]);
            // Bins come from BinnedMatrix, which never exceeds the feature's slot count.
            ref var slot = ref Unsafe.Add(ref hist, bin);
            slot.Gradient += orderedGradients[i];
            slot.Hessian += orderedHessians[i];
            slot.Count++;
        }
    }

    /// <summary>The same sums when the leaf holds every row in order (the root without bagging): no gather needed.</summary>
    public static void BuildAllRows(
        ReadOnlySpan<byte> column,
        ReadOnlySpan<double> gradients,
        ReadOnlySpan<double> hessians,
        Span<HistogramBin> histogram)
    {
        histogram.Clear();
        ref var hist = ref MemoryMarshal.GetReference(histogram);
        var n = column.Length;
        for (var i = 0; i < n; i++)
        {
            ref var slot = ref Unsafe.Add(ref hist, column[i]);
            slot.Gradient += gradients[i];
            slot.Hessian += hessians[i];
            slot.Count++;
        }
    }

    /// <summary>The subtraction trick (Ke et al., 2017, section 3): sibling = parent - child, in place over the parent.</summary>
    public static void SubtractInPlace(Span<HistogramBin> parent, ReadOnlySpan<HistogramBin> child)
    {
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i].Gradient -= child[i].Gradient;
            parent[i].Hessian -= child[i].Hessian;
            parent[i].Count -= child[i].Count;
        }
    }
}
