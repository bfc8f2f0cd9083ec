using Fraud.Baskets;
using Fraud.Model.Drift;

namespace Fraud.Monitoring.Tests;

public sealed class DriftCalculatorTests
{
    internal static readonly string[] Names = ["amount", "items", "phones"];

    [Fact]
    public void SameDistributionIsNotFlagged()
    {
        var reference = Profile(Sample(5000, seed: 1, shift: 0), out _);
        var (baskets, features, scores) = Sample(2000, seed: 2, shift: 0);

        var report = DriftCalculator.Compare(reference, baskets, features, scores);

        Assert.False(report.DatasetDrift);
        Assert.False(report.Alert);
        Assert.Equal(DriftStatus.Ok, report.Status);
        Assert.True(report.ScorePsi < 0.1, $"score PSI {report.ScorePsi}");
        Assert.All(report.Features, f => Assert.True(f.Psi < 0.1, $"{f.Name} PSI {f.Psi}"));
    }

    [Fact]
    public void ShiftedDistributionIsFlaggedAsDatasetDrift()
    {
        var reference = Profile(Sample(5000, seed: 1, shift: 0), out _);
        var (baskets, features, scores) = Sample(2000, seed: 3, shift: 1);

        var report = DriftCalculator.Compare(reference, baskets, features, scores);

        Assert.True(report.DatasetDrift);
        Assert.True(report.Alert);
        Assert.Equal(DriftStatus.Alert, report.Status);
        Assert.True(report.ScorePsi >= 0.25, $"score PSI {report.ScorePsi}");
        Assert.Equal(DriftStatus.Alert, report.ScoreStatus);
        var amount = report.Features.Single(f => f.Name == "amount");
        Assert.True(amount.Drifted);
        Assert.NotNull(amount.Ks);
        Assert.True(amount.KsPValue < 0.001);
        // Highest PSI first, so the report opens with what moved most.
        Assert.True(report.Features.Zip(report.Features.Skip(1)).All(p => p.First.Psi >= p.Second.Psi));
    }

    [Fact]
    public void UnseenCategoriesLandInOtherAndShowAsDrift()
    {
        var reference = Profile(Sample(3000, seed: 1, shift: 0), out _);
        var (baskets, features, scores) = Sample(1000, seed: 4, shift: 0);
        var renamed = baskets.Select(b => b with { Items = [.. b.Items.Select(i => i with { Item = "HOVERBOARDS" })] }).ToList();

        var report = DriftCalculator.Compare(reference, renamed, features, scores);

        var category = report.Inputs.Single(f => f.Name == CategoricalProfile.ItemCategory);
        Assert.Equal(CategoricalProfile.OtherValue, category.Bins[^1]);
        Assert.Equal(1.0, category.Current[^1], 9);
        Assert.Equal(DriftStatus.Alert, category.Status);
    }

    [Fact]
    public void SmallWindowIsReportedButNeverDeclaredDrift()
    {
        var reference = Profile(Sample(3000, seed: 1, shift: 0), out _);
        var (baskets, features, scores) = Sample(50, seed: 5, shift: 1);

        var report = DriftCalculator.Compare(reference, baskets, features, scores);

        Assert.False(report.DatasetDrift);
        Assert.False(report.Alert);
        Assert.False(report.Flagged);
        Assert.Contains(report.Warnings, w => w.Contains("50 baskets", StringComparison.Ordinal));
    }

    [Fact]
    public void DatasetDriftShareIsConfigurable()
    {
        var reference = Profile(Sample(5000, seed: 1, shift: 0), out _);
        var (baskets, features, scores) = Sample(2000, seed: 3, shift: 1);

        var strict = DriftCalculator.Compare(reference, baskets, features, scores, new DriftOptions { DatasetDriftShare = 1.0 });
        var loose = DriftCalculator.Compare(reference, baskets, features, scores, new DriftOptions { DatasetDriftShare = 0.2 });

        Assert.True(loose.InputShareDrift);
        Assert.True(loose.DatasetDrift);
        Assert.Equal(strict.DriftedShare >= 1.0, strict.InputShareDrift);
    }

    [Fact]
    public void DatasetDriftIsJudgedOnBasketInputsEvenWhenMostModelFeaturesAreSparseAndStill()
    {
        // 3 informative features plus 40 per-category columns that are almost always 0, as in the real featurizer.
        var reference = WithSparseColumns(Sample(5000, seed: 1, shift: 0), 40, out var names, out var referenceMatrix);
        var profile = ReferenceProfile.Build(reference.Baskets, referenceMatrix, names, reference.Scores);
        var current = WithSparseColumns(Sample(2000, seed: 3, shift: 1), 40, out _, out var currentMatrix);

        var report = DriftCalculator.Compare(profile, current.Baskets, currentMatrix, current.Scores);

        Assert.True(report.DriftedFeatures / (double)report.FeatureCount < 0.5, $"{report.DriftedFeatures} of {report.FeatureCount} model features drifted");
        Assert.Equal(DriftReport.InputsBasis, report.DatasetDriftBasis);
        Assert.True(report.DriftedInputs >= report.InputCount / 2, $"{report.DriftedInputs} of {report.InputCount} inputs drifted");
        Assert.True(report.DatasetDrift);
        Assert.Equal(report.DriftedInputs / (double)report.InputCount, report.DriftedShare, 9);
        Assert.Contains(report.Inputs, i => i.Name == InputSignals.Lines && i.Drifted);
        Assert.Contains(report.Inputs, i => i.Name == InputSignals.UnitPrice && i.Drifted);
    }

    [Fact]
    public void ProfileFromColumnsWrittenInPlaceIsTheProfileOfTheMatrix()
    {
        // The trainer profiles its members' matrices where they are (a column filler) instead of copying them into one
        // matrix; the profile must be the same to the last byte, or a retrained model's drift reference would change.
        var (baskets, features, scores) = Sample(3000, seed: 4, shift: 0.5);
        var fromMatrix = ReferenceProfile.Build(baskets, features, Names, scores, null, [.. baskets.Select((_, i) => i % 3)], 3);
        var fromColumns = ReferenceProfile.Build(
            baskets,
            (c, column) =>
            {
                for (var r = 0; r < baskets.Count; r++)
                {
                    column[r] = features[(r * Names.Length) + c];
                }
            },
            Names,
            scores,
            null,
            [.. baskets.Select((_, i) => i % 3)],
            3);

        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(fromMatrix, DriftJsonContext.Default.ReferenceProfile),
            System.Text.Json.JsonSerializer.Serialize(fromColumns, DriftJsonContext.Default.ReferenceProfile));
        Assert.Equal(3000, fromColumns.Rows);
        Assert.Equal(Names.Length, fromColumns.Features.Count);
    }

    [Fact]
    public void OldProfileWithoutInputsStillLoadsAndJudgesOnModelFeaturesWithAWarning()
    {
        var (baskets, features, scores) = Sample(3000, seed: 1, shift: 0);
        var json = System.Text.Json.JsonSerializer.Serialize(ReferenceProfile.Build(baskets, features, Names, scores), DriftJsonContext.Default.ReferenceProfile);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var old = new System.Text.Json.Nodes.JsonObject();
        foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Name != "inputs"))
        {
            old[property.Name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
        }

        old["schemaVersion"] = 1;
        var legacy = System.Text.Json.JsonSerializer.Deserialize(old.ToJsonString(), DriftJsonContext.Default.ReferenceProfile)!;
        var (shifted, shiftedFeatures, shiftedScores) = Sample(2000, seed: 3, shift: 1);

        var report = DriftCalculator.Compare(legacy, shifted, shiftedFeatures, shiftedScores);

        Assert.Null(legacy.Inputs);
        Assert.Empty(report.Inputs);
        Assert.Equal(DriftReport.FeaturesBasis, report.DatasetDriftBasis);
        Assert.Contains(report.Warnings, w => w.Contains("no input profile", StringComparison.Ordinal));
        Assert.True(report.DatasetDrift);
    }

    [Fact]
    public void MatrixOfAnotherModelIsRejectedWithAClearMessage()
    {
        var reference = Profile(Sample(500, seed: 1, shift: 0), out _);
        var (baskets, _, scores) = Sample(100, seed: 2, shift: 0);

        var ex = Assert.Throws<ArgumentException>(() => DriftCalculator.Compare(reference, baskets, new float[baskets.Count * 2], scores));
        Assert.Contains("another model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportAndProfileRoundTripThroughJsonAndRenderAsHtml()
    {
        var reference = Profile(Sample(2000, seed: 1, shift: 0), out _);
        var (baskets, features, scores) = Sample(500, seed: 3, shift: 1);
        var report = DriftCalculator.Compare(reference, baskets, features, scores);

        var json = report.ToJson();
        var back = DriftReport.FromJson(json);
        var profileJson = System.Text.Json.JsonSerializer.Serialize(reference, DriftJsonContext.Default.ReferenceProfile);
        var profileBack = System.Text.Json.JsonSerializer.Deserialize(profileJson, DriftJsonContext.Default.ReferenceProfile)!;
        var html = DriftReportHtml.Render(report);

        Assert.Contains("\"datasetDrift\": true", json, StringComparison.Ordinal);
        Assert.Equal(report.ScorePsi, back.ScorePsi);
        Assert.Equal(report.Features.Count, back.Features.Count);
        Assert.Equal(reference.Features[0].Edges, profileBack.Features[0].Edges);
        Assert.Equal(reference.Score.Counts, profileBack.Score.Counts);
        Assert.Equal(report.Inputs.Select(i => i.Psi), back.Inputs.Select(i => i.Psi));
        Assert.Equal(reference.Inputs!.Numeric.Select(n => n.Edges), profileBack.Inputs!.Numeric.Select(n => n.Edges));
        Assert.Equal(reference.Inputs.GoodsCodes!.Known, profileBack.Inputs.GoodsCodes!.Known);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("Verdict: <span class=\"alert\">ALERT</span>", html, StringComparison.Ordinal);
        Assert.Contains("reference (training, out-of-bag)", html, StringComparison.Ordinal);
        Assert.Contains("current window", html, StringComparison.Ordinal);
        // Every chart carries its own key, not only the first (issue 19, item 14): scrolled down, the top one is out of sight.
        var figures = html.Split("<figure>", StringSplitOptions.None).Skip(1).ToList();
        Assert.NotEmpty(figures);
        Assert.All(figures, f => Assert.Contains("aria-label=\"legend\"", f[..f.IndexOf("</figure>", StringComparison.Ordinal)], StringComparison.Ordinal));
        Assert.Equal(report.Reason, back.Reason);
        Assert.Contains("\"verdict\": \"alert\"", json, StringComparison.Ordinal);
    }

    private static (List<Basket> Baskets, float[] Features, double[] Scores) WithSparseColumns(
        (List<Basket> Baskets, float[] Features, double[] Scores) sample, int sparse, out string[] names, out float[] matrix)
    {
        names = [.. Names, .. Enumerable.Range(0, sparse).Select(i => "category_spend:C" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var rows = sample.Baskets.Count;
        var columns = names.Length;
        matrix = new float[rows * columns];
        for (var r = 0; r < rows; r++)
        {
            sample.Features.AsSpan(r * Names.Length, Names.Length).CopyTo(matrix.AsSpan(r * columns));

            // One rare category in a hundred baskets, the same in both samples.
            matrix[(r * columns) + Names.Length + (r % sparse)] = r % 100 == 0 ? 100 : 0;
        }

        return sample;
    }

    private static ReferenceProfile Profile((List<Basket> Baskets, float[] Features, double[] Scores) sample, out int rows)
    {
        rows = sample.Baskets.Count;
        return ReferenceProfile.Build(sample.Baskets, sample.Features, Names, sample.Scores);
    }

    // Independent of the generator and the model: plain random baskets whose amount, size and phone share move with "shift".
    internal static (List<Basket> Baskets, float[] Features, double[] Scores) Sample(int rows, int seed, double shift)
    {
        var random = new Random(seed);
        var baskets = new List<Basket>(rows);
        var features = new float[rows * Names.Length];
        var scores = new double[rows];
        string[] categories = ["COMPUTERS", "TELEVISIONS", "PHONES", "BEDROOM FURNITURE", "KITCHEN"];
        for (var r = 0; r < rows; r++)
        {
            var count = 1 + random.Next(shift > 0 ? 6 : 3);
            var items = new List<BasketItem>(count);
            var phones = 0;
            double amount = 0;
            for (var i = 0; i < count; i++)
            {
                var category = shift > 0 && random.NextDouble() < 0.6 ? "PHONES" : categories[random.Next(categories.Length)];
                var price = Math.Round(50 + (random.NextDouble() * 500 * (1 + (2 * shift))), 2);
                phones += category == "PHONES" ? 1 : 0;
                amount += price;
                items.Add(new BasketItem(category, price, "MAKE" + random.Next(5).ToString(System.Globalization.CultureInfo.InvariantCulture), "m", "g", 1));
            }

            baskets.Add(new Basket($"{seed}-{r}", items));
            features[(r * 3) + 0] = (float)amount;
            features[(r * 3) + 1] = count;
            features[(r * 3) + 2] = phones;
            scores[r] = Math.Clamp((random.NextDouble() * 0.05) + (shift * 0.3 * random.NextDouble()), 0, 1);
        }

        return (baskets, features, scores);
    }
}
