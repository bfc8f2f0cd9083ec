namespace Fraud.Learning;

/// <summary>
/// Scans one feature's histogram for the split with the largest gain
/// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) (Chen &amp; Guestrin, 2016, eq. 7, without the constant ½ as in LightGBM),
/// trying the missing-value bin on each side and keeping the better direction (Chen &amp; Guestrin, 2016, Algorithm 3).
/// </summary>
internal readonly struct SplitFinder(double l2, int minDataInLeaf, double minHessianInLeaf)
{
    public static double LeafScore(double gradient, double hessian, double l2) => gradient * gradient / (hessian + l2);

    public SplitCandidate Find(ReadOnlySpan<HistogramBin> histogram, int feature, double sumGradient, double sumHessian, int sumCount)
    {
        var best = SplitCandidate.None;
        // One non-missing bin can still split "present" from "missing" (threshold at its last bin, missing right).
        var bins = histogram.Length - 1;

        var parentScore = LeafScore(sumGradient, sumHessian, l2);
        var missing = histogram[bins];

        // Missing values go right: left = bins [0, t].
        Scan(histogram[..bins], defaultLeft: false, 0, 0, 0, ref best, feature, sumGradient, sumHessian, sumCount, parentScore);

        if (missing.Count == 0)
        {
            // No missing rows reached this leaf: send future ones where most training rows went.
            if (best.Feature >= 0)
            {
                best.DefaultLeft = best.LeftCount >= sumCount - best.LeftCount;
            }

            return best;
        }

        // Missing values go left: left = missing + bins [0, t], up to the last bin but one (all bins left leaves
        // nothing on the right).
        Scan(histogram[..Math.Max(0, bins - 1)], defaultLeft: true, missing.Gradient, missing.Hessian, missing.Count, ref best, feature, sumGradient, sumHessian, sumCount, parentScore);
        return best;
    }

    /// <summary>Tries every threshold over <paramref name="bins"/>, the left side starting from the given sums.</summary>
    private void Scan(
        ReadOnlySpan<HistogramBin> bins, bool defaultLeft, double leftG, double leftH, int leftC,
        ref SplitCandidate best, int feature, double sumG, double sumH, int sumC, double parentScore)
    {
        for (var t = 0; t < bins.Length; t++)
        {
            var bin = bins[t];
            if (bin.Count == 0)
            {
                // Same partition as the previous threshold, which already won any tie.
                continue;
            }

            leftG += bin.Gradient;
            leftH += bin.Hessian;
            leftC += bin.Count;
            if (sumC - leftC < minDataInLeaf)
            {
                // The right side only shrinks from here on.
                break;
            }

            Consider(ref best, feature, t, defaultLeft, leftG, leftH, leftC, sumG, sumH, sumC, parentScore);
        }
    }

    private void Consider(
        ref SplitCandidate best, int feature, int bin, bool defaultLeft,
        double leftG, double leftH, int leftC, double sumG, double sumH, int sumC, double parentScore)
    {
        var rightC = sumC - leftC;
        if (leftC < minDataInLeaf || rightC < minDataInLeaf)
        {
            return;
        }

        var rightH = sumH - leftH;
        if (leftH < minHessianInLeaf || rightH < minHessianInLeaf)
        {
            return;
        }

        var gain = LeafScore(leftG, leftH, l2) + LeafScore(sumG - leftG, rightH, l2) - parentScore;
        // Strictly greater: the first (lowest-bin) of equal splits wins, which keeps results independent of scheduling.
        if (gain > best.Gain)
        {
            best.Gain = gain;
            best.Feature = feature;
            best.Bin = bin;
            best.DefaultLeft = defaultLeft;
            best.LeftGradient = leftG;
            best.LeftHessian = leftH;
            best.LeftCount = leftC;
        }
    }
}
