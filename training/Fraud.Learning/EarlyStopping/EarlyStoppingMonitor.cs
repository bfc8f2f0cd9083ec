namespace Fraud.Learning;

/// <summary>
/// Remembers the round with the best validation PR-AUC and says when <paramref name="patience"/> rounds have passed
/// without beating it. PR-AUC rather than log-loss, because the product acts on the ranking of rare positives.
/// </summary>
internal sealed class EarlyStoppingMonitor(int patience)
{
    /// <summary>Best round so far (1-based; 0 before any).</summary>
    public int BestRound { get; private set; }

    public double BestScore { get; private set; } = double.NegativeInfinity;

    /// <summary>Records a round's score; returns true when training should stop.</summary>
    public bool Record(int round, double score)
    {
        if (score > BestScore)
        {
            BestScore = score;
            BestRound = round;
        }

        return patience > 0 && round - BestRound >= patience;
    }
}
