using System.Globalization;
using Fraud.Baskets;
using Fraud.Learning;
using Fraud.Model;

namespace Fraud.Monitoring;

/// <summary>What the gate asks of a challenger.</summary>
public sealed record GateOptions
{
    /// <summary>The challenger's PR-AUC must exceed the champion's by at least this much (absolute).</summary>
    public double MinPrAucGain { get; init; } = 0.005;

    /// <summary>The challenger's log-loss may exceed the champion's by at most this much (0: no worse).</summary>
    public double MaxLogLossIncrease { get; init; }

    /// <summary>Fewer holdout rows than this and the comparison is not trusted: no promotion.</summary>
    public int MinHoldoutRows { get; init; } = 500;

    /// <summary>Fewer frauds in the holdout than this and PR-AUC is noise: no promotion.</summary>
    public int MinHoldoutFrauds { get; init; } = 10;
}

/// <summary>The gate's verdict with the figures behind it.</summary>
public sealed record GateDecision(
    bool Promote,
    string Reason,
    int HoldoutRows,
    int HoldoutFrauds,
    double ChampionPrAuc,
    double ChallengerPrAuc,
    double ChampionLogLoss,
    double ChallengerLogLoss);

/// <summary>Champion and challenger scored on the same recent labelled holdout; the challenger wins only on merit.</summary>
public static class PromotionGate
{
    public static GateDecision Evaluate(FraudModel champion, FraudModel challenger, IReadOnlyList<Basket> holdout, IReadOnlyList<bool> labels, GateOptions options, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        var truth = labels.ToArray();
        var frauds = truth.Count(l => l);
        if (holdout.Count < options.MinHoldoutRows || frauds < options.MinHoldoutFrauds || frauds == holdout.Count)
        {
            return new GateDecision(false, string.Create(CultureInfo.InvariantCulture,
                $"holdout too small to judge: {holdout.Count} recent labelled baskets with {frauds} frauds (need {options.MinHoldoutRows} and {options.MinHoldoutFrauds})"),
                holdout.Count, frauds, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var championScores = new double[holdout.Count];
        var challengerScores = new double[holdout.Count];
        champion.ScoreMany(holdout, championScores, threads);
        challenger.ScoreMany(holdout, challengerScores, threads);
        var championPrAuc = Metrics.AveragePrecision(championScores, truth);
        var challengerPrAuc = Metrics.AveragePrecision(challengerScores, truth);
        var championLogLoss = Metrics.LogLoss(championScores, truth);
        var challengerLogLoss = Metrics.LogLoss(challengerScores, truth);

        var gain = challengerPrAuc - championPrAuc;
        var lossIncrease = challengerLogLoss - championLogLoss;
        string reason;
        var promote = false;
        if (gain < options.MinPrAucGain)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"PR-AUC {challengerPrAuc:F4} vs champion {championPrAuc:F4}: gain {gain:+0.0000;-0.0000} below the required {options.MinPrAucGain:F4}");
        }
        else if (lossIncrease > options.MaxLogLossIncrease)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"PR-AUC gain {gain:F4} but log-loss {challengerLogLoss:F4} is worse than the champion's {championLogLoss:F4}");
        }
        else
        {
            promote = true;
            reason = string.Create(CultureInfo.InvariantCulture, $"PR-AUC {challengerPrAuc:F4} vs champion {championPrAuc:F4} (+{gain:F4}), log-loss {challengerLogLoss:F4} vs {championLogLoss:F4}");
        }

        return new GateDecision(promote, reason, holdout.Count, frauds, championPrAuc, challengerPrAuc, championLogLoss, challengerLogLoss);
    }
}
