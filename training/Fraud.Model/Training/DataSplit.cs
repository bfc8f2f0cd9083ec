namespace Fraud.Model.Training;

/// <summary>Seeded stratified split of rows into train, validation, calibration and test, with the same fraud share in each.</summary>
internal sealed class DataSplit
{
    public const int Train = 0;
    public const int Validation = 1;
    public const int Calibration = 2;
    public const int Test = 3;

    private DataSplit(int[][] rows) => Rows = rows;

    /// <summary>Row indices of each part, ascending.</summary>
    public int[][] Rows { get; }

    public static DataSplit Create(IReadOnlyList<bool> labels, double validation, double calibration, double test, int seed)
    {
        var parts = new List<int>[4];
        for (var p = 0; p < parts.Length; p++)
        {
            parts[p] = [];
        }

        var random = new Random(seed);
        foreach (var positive in new[] { true, false })
        {
            var rows = Enumerable.Range(0, labels.Count).Where(i => labels[i] == positive).ToArray();
            random.Shuffle(rows);
            var nValid = (int)Math.Round(rows.Length * validation);
            var nCalibration = (int)Math.Round(rows.Length * calibration);
            var nTest = (int)Math.Round(rows.Length * test);
            for (var i = 0; i < rows.Length; i++)
            {
                var part = i < nValid ? Validation : i < nValid + nCalibration ? Calibration : i < nValid + nCalibration + nTest ? Test : Train;
                parts[part].Add(rows[i]);
            }
        }

        return new DataSplit([.. parts.Select(p => p.Order().ToArray())]);
    }
}
