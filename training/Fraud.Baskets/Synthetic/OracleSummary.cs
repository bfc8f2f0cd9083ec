namespace Fraud.Baskets;

/// <summary>
/// Fraud count and average precision (PR-AUC, the step-wise sum of precision at each positive, as
/// scikit-learn's <c>average_precision_score</c>) of probabilities against drawn labels.
/// </summary>
public sealed class OracleSummary(int expectedRows = 0)
{
    private readonly List<double> _scores = new(expectedRows);
    private readonly List<bool> _labels = new(expectedRows);

    public int Rows => _scores.Count;

    public int Frauds { get; private set; }

    public double FraudRate => Rows == 0 ? 0 : (double)Frauds / Rows;

    public void Add(double score, bool label)
    {
        _scores.Add(score);
        _labels.Add(label);
        Frauds += label ? 1 : 0;
    }

    /// <summary>Average precision; tied scores are taken as one threshold. NaN without any positive.</summary>
    public double AveragePrecision()
    {
        if (Frauds == 0)
        {
            return double.NaN;
        }

        var order = new int[_scores.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var scores = _scores.ToArray();
        Array.Sort(scores, order);
        double ap = 0;
        int truePositives = 0, seen = 0;
        for (var i = order.Length - 1; i >= 0;)
        {
            var j = i;
            var tiePositives = 0;
            while (j >= 0 && scores[j] == scores[i])
            {
                tiePositives += _labels[order[j]] ? 1 : 0;
                j--;
            }

            seen += i - j;
            truePositives += tiePositives;
            ap += tiePositives * ((double)truePositives / seen);
            i = j;
        }

        return ap / Frauds;
    }
}
