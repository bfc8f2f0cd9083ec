namespace Fraud.Learning;

/// <summary>Serialisable form of a <see cref="GbdtModel"/> (plain properties and arrays for System.Text.Json).</summary>
public sealed class GbdtModelDto
{
    /// <summary>Length of the feature vector the model expects.</summary>
    public int FeatureCount { get; set; }

    /// <summary>Raw score before any tree: the log-odds of the (weighted) training prior.</summary>
    public double BaseScore { get; set; }

    /// <summary>The trees, in boosting order.</summary>
    public GbdtTreeDto[] Trees { get; set; } = [];
}

/// <summary>
/// One tree as parallel node arrays; node 0 is the root and children come after their parent. A leaf has
/// <c>Feature = -1</c> and <c>Left = Right = -1</c>. A non-missing value goes left when <c>value &lt;= Threshold</c>;
/// a missing value goes left when <c>DefaultLeft</c>.
/// </summary>
public sealed class GbdtTreeDto
{
    public int[] Feature { get; set; } = [];

    public double[] Threshold { get; set; } = [];

    public bool[] DefaultLeft { get; set; } = [];

    public int[] Left { get; set; } = [];

    public int[] Right { get; set; } = [];

    /// <summary>Leaf outputs in log-odds (learning rate applied); for split nodes, the output before the split.</summary>
    public double[] Value { get; set; } = [];

    /// <summary>Training rows that reached each node; a split node's cover is the sum of its children's.</summary>
    public double[] Cover { get; set; } = [];

    /// <summary>Split gain of each node (0 for leaves).</summary>
    public double[] Gain { get; set; } = [];
}
