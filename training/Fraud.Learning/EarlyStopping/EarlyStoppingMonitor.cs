namespace Fraud.Learning;

/// <summary>
/// Chooses the round to keep and says when to stop. The kept round is the one with the best validation PR-AUC
/// averaged over a centred window of rounds: with a few hundred validation positives, PR-AUC jumps by several points
/// from one tree to the next, and the raw maximum picks an early, lucky round. Training stops only after
/// <c>minRounds</c> and once neither that smoothed PR-AUC nor the validation log-loss (a smooth, low-variance signal
/// that the trees are still learning) has improved for <c>patience</c> rounds. Public so that an outside learner
/// (ML.NET's, in Fraud.Model.MLNet) keeps its trees by the same rule.
/// </summary>
public sealed class EarlyStoppingMonitor(int patience, int minRounds, int halfWindow)
{
    // Prefix sums of the per-round PR-AUC: prefix[r] = sum of rounds 1..r.
    private readonly List<double> _prefix = [0];
    private double _bestLoss = double.PositiveInfinity;
    private int _bestLossRound;

    /// <summary>Best round so far by smoothed PR-AUC (1-based; 0 before any).</summary>
    public int BestRound { get; private set; }

    /// <summary>The smoothed PR-AUC of <see cref="BestRound"/>.</summary>
    public double BestScore { get; private set; } = double.NegativeInfinity;

    /// <summary>Records a round's validation PR-AUC and log-loss; returns true when training should stop.</summary>
    public bool Record(int round, double prAuc, double logLoss)
    {
        _prefix.Add(_prefix[^1] + prAuc);
        if (logLoss < _bestLoss)
        {
            _bestLoss = logLoss;
            _bestLossRound = round;
        }

        // A round's window fills in as later rounds arrive, so every round is re-scored (a few hundred additions);
        // ties go to the earliest round, the smaller model.
        BestScore = double.NegativeInfinity;
        for (var r = 1; r <= round; r++)
        {
            var score = Smoothed(r, round);
            if (score > BestScore)
            {
                BestScore = score;
                BestRound = r;
            }
        }

        return patience > 0
            && round >= minRounds
            && round - BestRound >= patience
            && round - _bestLossRound >= patience;
    }

    private double Smoothed(int center, int last)
    {
        var lo = Math.Max(1, center - halfWindow);
        var hi = Math.Min(last, center + halfWindow);
        return (_prefix[hi] - _prefix[lo - 1]) / (hi - lo + 1);
    }
}
