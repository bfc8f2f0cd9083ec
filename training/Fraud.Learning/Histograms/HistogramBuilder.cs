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
    /// Rows per bin above which four interleaved partial histograms pay for their clearing and merging. They break the
    /// chain of dependent adds into one slot that a low-cardinality feature (a flag, a count that is mostly zero)
    /// otherwise forms: each add would wait for the previous store to the same slot.
    /// </summary>
    private const int InterleaveRowsPerBin = 8;

    private const int Copies = 4;

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
        var n = rows.Length;
        var bins = histogram.Length;
        ref var col = ref MemoryMarshal.GetReference(column);
        ref var row = ref MemoryMarshal.GetReference(rows);
        ref var g = ref MemoryMarshal.GetReference(orderedGradients);
        ref var h = ref MemoryMarshal.GetReference(orderedHessians);
        if (n < InterleaveRowsPerBin * bins)
        {
            histogram.Clear();
            ref var hist = ref MemoryMarshal.GetReference(histogram);
            for (var i = 0; i < n; i++)
            {
                Add(ref Unsafe.Add(ref hist, Unsafe.Add(ref col, Unsafe.Add(ref row, i))), Unsafe.Add(ref g, i), Unsafe.Add(ref h, i));
            }

            return;
        }

        Span<HistogramBin> copies = stackalloc HistogramBin[Copies * bins];
        ref var c0 = ref MemoryMarshal.GetReference(copies);
        ref var c1 = ref Unsafe.Add(ref c0, bins);
        ref var c2 = ref Unsafe.Add(ref c1, bins);
        ref var c3 = ref Unsafe.Add(ref c2, bins);
        var k = 0;
        for (; k + Copies <= n; k += Copies)
        {
            Add(ref Unsafe.Add(ref c0, Unsafe.Add(ref col, Unsafe.Add(ref row, k))), Unsafe.Add(ref g, k), Unsafe.Add(ref h, k));
            Add(ref Unsafe.Add(ref c1, Unsafe.Add(ref col, Unsafe.Add(ref row, k + 1))), Unsafe.Add(ref g, k + 1), Unsafe.Add(ref h, k + 1));
            Add(ref Unsafe.Add(ref c2, Unsafe.Add(ref col, Unsafe.Add(ref row, k + 2))), Unsafe.Add(ref g, k + 2), Unsafe.Add(ref h, k + 2));
            Add(ref Unsafe.Add(ref c3, Unsafe.Add(ref col, Unsafe.Add(ref row, k + 3))), Unsafe.Add(ref g, k + 3), Unsafe.Add(ref h, k + 3));
        }

        for (; k < n; k++)
        {
            Add(ref Unsafe.Add(ref c0, Unsafe.Add(ref col, Unsafe.Add(ref row, k))), Unsafe.Add(ref g, k), Unsafe.Add(ref h, k));
        }

        Merge(copies, histogram);
    }

    /// <summary>The same sums when the leaf holds every row in order (the root without bagging): no gather needed.</summary>
    public static void BuildAllRows(
        ReadOnlySpan<byte> column,
        ReadOnlySpan<double> gradients,
        ReadOnlySpan<double> hessians,
        Span<HistogramBin> histogram)
    {
        var n = column.Length;
        var bins = histogram.Length;
        ref var col = ref MemoryMarshal.GetReference(column);
        ref var g = ref MemoryMarshal.GetReference(gradients);
        ref var h = ref MemoryMarshal.GetReference(hessians);
        Span<HistogramBin> copies = stackalloc HistogramBin[Copies * bins];
        ref var c0 = ref MemoryMarshal.GetReference(copies);
        ref var c1 = ref Unsafe.Add(ref c0, bins);
        ref var c2 = ref Unsafe.Add(ref c1, bins);
        ref var c3 = ref Unsafe.Add(ref c2, bins);
        var k = 0;
        for (; k + Copies <= n; k += Copies)
        {
            Add(ref Unsafe.Add(ref c0, Unsafe.Add(ref col, k)), Unsafe.Add(ref g, k), Unsafe.Add(ref h, k));
            Add(ref Unsafe.Add(ref c1, Unsafe.Add(ref col, k + 1)), Unsafe.Add(ref g, k + 1), Unsafe.Add(ref h, k + 1));
            Add(ref Unsafe.Add(ref c2, Unsafe.Add(ref col, k + 2)), Unsafe.Add(ref g, k + 2), Unsafe.Add(ref h, k + 2));
            Add(ref Unsafe.Add(ref c3, Unsafe.Add(ref col, k + 3)), Unsafe.Add(ref g, k + 3), Unsafe.Add(ref h, k + 3));
        }

        for (; k < n; k++)
        {
            Add(ref Unsafe.Add(ref c0, Unsafe.Add(ref col, k)), Unsafe.Add(ref g, k), Unsafe.Add(ref h, k));
        }

        Merge(copies, histogram);
    }

    /// <summary>
    /// The histogram of a leaf from a sparse feature's non-default rows only: rows are kept when
    /// <paramref name="leafOf"/> says they belong to <paramref name="leaf"/>, and the default bin gets the leaf's totals
    /// minus everything else. Costs the feature's non-default count instead of the leaf's row count.
    /// </summary>
    public static void BuildSparse(
        ReadOnlySpan<byte> column,
        ReadOnlySpan<int> sparseRows,
        ReadOnlySpan<int> leafOf,
        int leaf,
        ReadOnlySpan<double> gradients,
        ReadOnlySpan<double> hessians,
        int defaultBin,
        double leafGradient,
        double leafHessian,
        int leafRows,
        Span<HistogramBin> histogram)
    {
        histogram.Clear();
        ref var hist = ref MemoryMarshal.GetReference(histogram);
        ref var col = ref MemoryMarshal.GetReference(column);
        ref var owner = ref MemoryMarshal.GetReference(leafOf);
        ref var g = ref MemoryMarshal.GetReference(gradients);
        ref var h = ref MemoryMarshal.GetReference(hessians);
        foreach (var row in sparseRows)
        {
            if (Unsafe.Add(ref owner, row) == leaf)
            {
                Add(ref Unsafe.Add(ref hist, Unsafe.Add(ref col, row)), Unsafe.Add(ref g, row), Unsafe.Add(ref h, row));
            }
        }

        double sumG = 0, sumH = 0;
        var count = 0;
        for (var b = 0; b < histogram.Length; b++)
        {
            sumG += histogram[b].Gradient;
            sumH += histogram[b].Hessian;
            count += histogram[b].Count;
        }

        histogram[defaultBin].Gradient = leafGradient - sumG;
        histogram[defaultBin].Hessian = leafHessian - sumH;
        histogram[defaultBin].Count = leafRows - count;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref HistogramBin slot, double gradient, double hessian)
    {
        slot.Gradient += gradient;
        slot.Hessian += hessian;
        slot.Count++;
    }

    /// <summary>Adds the partial histograms pairwise, always in the same order.</summary>
    private static void Merge(ReadOnlySpan<HistogramBin> copies, Span<HistogramBin> histogram)
    {
        var bins = histogram.Length;
        for (var b = 0; b < bins; b++)
        {
            var a0 = copies[b];
            var a1 = copies[bins + b];
            var a2 = copies[(2 * bins) + b];
            var a3 = copies[(3 * bins) + b];
            histogram[b].Gradient = (a0.Gradient + a1.Gradient) + (a2.Gradient + a3.Gradient);
            histogram[b].Hessian = (a0.Hessian + a1.Hessian) + (a2.Hessian + a3.Hessian);
            histogram[b].Count = a0.Count + a1.Count + a2.Count + a3.Count;
        }
    }
}
