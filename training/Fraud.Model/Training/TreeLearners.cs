using System.Collections.Concurrent;
using Fraud.Learning;

namespace Fraud.Model;

/// <summary>
/// Something that grows a tree ensemble from featurized rows. Learners produce trees; the product scores, explains,
/// calibrates and monitors trees, so a model trained by any learner works the same everywhere after training.
/// </summary>
public interface ITreeLearner
{
    /// <summary>The name given as <c>--param learner=…</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Trains on <paramref name="x"/> and keeps the trees up to the best round on the validation rows (the product's
    /// early-stopping rule), with covers that count the training rows reaching each node.
    /// </summary>
    GbdtModel Train(FeatureMatrix x, float[] y, GbdtOptions options, FeatureMatrix validX, float[] validY, Action<BoostingRound>? onRound, CancellationToken cancellationToken);
}

/// <summary>
/// The learners this process can train with. The product's own gradient boosting (<c>gbdt</c>) is always here;
/// Microsoft.ML's learners (<c>fasttree</c>, <c>lightgbm</c>) are registered by the fraud CLI from Fraud.Model.MLNet,
/// so that the model library, the handler and in-app retraining carry no ML.NET (or native LightGBM) dependency.
/// </summary>
public static class TreeLearners
{
    /// <summary>The product's own learner and the default.</summary>
    public const string Gbdt = "gbdt";

    /// <summary>Every name <c>--param learner</c> accepts, whether or not this process has it.</summary>
    public static IReadOnlyList<string> Known { get; } = [Gbdt, "fasttree", "lightgbm"];

    private static readonly ConcurrentDictionary<string, ITreeLearner> Registered = new(StringComparer.Ordinal)
    {
        [Gbdt] = new ProductLearner(),
    };

    /// <summary>Makes <paramref name="learner"/> available to <see cref="ModelTrainer"/> under its name.</summary>
    public static void Register(ITreeLearner learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        Registered[learner.Name] = learner;
    }

    /// <summary>The learner called <paramref name="name"/>; an <see cref="ArgumentException"/> naming it when this process lacks it.</summary>
    public static ITreeLearner Resolve(string name) =>
        Registered.TryGetValue(name, out var learner)
            ? learner
            : throw new ArgumentException($"Training parameter 'learner' = '{name}' is not available in this process (ML.NET's learners come with the fraud CLI, Fraud.Model.MLNet); available: {string.Join(", ", Registered.Keys.Order(StringComparer.Ordinal))}.", nameof(name));

    private sealed class ProductLearner : ITreeLearner
    {
        public string Name => Gbdt;

        public GbdtModel Train(FeatureMatrix x, float[] y, GbdtOptions options, FeatureMatrix validX, float[] validY, Action<BoostingRound>? onRound, CancellationToken cancellationToken) =>
            GbdtTrainer.Train(x, y, options, validX, validY, onRound, cancellationToken);
    }
}
