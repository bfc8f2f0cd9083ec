using System.Globalization;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

/// <summary>Generated data and one model trained through <c>fraud train</c>, shared by the model-verb tests.</summary>
public sealed class TrainedModelFolder : IDisposable
{
    public TrainedModelFolder()
    {
        Data = SyntheticBaskets.WriteDataset(Folder.File("data"), new GeneratorOptions { Rows = 8000, Seed = 3 });
        ModelDirectory = Folder.File("model");
        var (exitCode, stdout, stderr) = CliHarness.RunAsync(
            "train", "--data", Data.FeaturesPath, "--labels", Data.LabelsPath, "--output", ModelDirectory, "--seed", "2",
            "--param", "num_rounds=60", "--param", "early_stopping_rounds=20").GetAwaiter().GetResult();
        (TrainExitCode, TrainStdout, TrainStderr) = (exitCode, stdout, stderr);
    }

    public TempDirectory Folder { get; } = new("fraud-cli-model");

    public GeneratedDataset Data { get; }

    public string ModelDirectory { get; }

    public int TrainExitCode { get; }

    public string TrainStdout { get; }

    public string TrainStderr { get; }

    public void Dispose() => Folder.Dispose();
}

public sealed class ModelCommandsTests(TrainedModelFolder trained) : IClassFixture<TrainedModelFolder>
{
    [Fact]
    public void TrainWritesModelCardAndReport()
    {
        Assert.True(trained.TrainExitCode == 0, trained.TrainStderr);
        Assert.Contains("PR-AUC", trained.TrainStdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(trained.ModelDirectory, "model.json")));
        using var card = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(trained.ModelDirectory, "card.json")));
        Assert.InRange(card.RootElement.GetProperty("metrics").GetProperty("pr_auc").GetDouble(), 0.01, 1);
        Assert.Equal("2", card.RootElement.GetProperty("parameters").GetProperty("seed").GetString());
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(trained.ModelDirectory, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScoreWritesOneProbabilityPerBasket()
    {
        var output = trained.Folder.File("scores.csv");

        var (exitCode, _, stderr) = await CliHarness.RunAsync("score", "--model", trained.ModelDirectory, "--input", trained.Data.FeaturesPath, "--output", output);

        Assert.True(exitCode == 0, stderr);
        var lines = File.ReadAllLines(output);
        Assert.Equal("ID,fraud_probability", lines[0]);
        Assert.Equal(trained.Data.Rows + 1, lines.Length);
        var ids = BasketCsv.ReadBaskets(trained.Data.FeaturesPath).Select(b => b.Id).ToList();
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            Assert.Equal(ids[i - 1], cells[0]);
            Assert.InRange(double.Parse(cells[1], CultureInfo.InvariantCulture), 0.0, 1.0);
        }
    }

    [Fact]
    public async Task EvaluatePrintsMetricsAtEachThreshold()
    {
        var (exitCode, stdout, stderr) = await CliHarness.RunAsync("evaluate", "--model", trained.ModelDirectory, "--data", trained.Data.FeaturesPath, "--labels", trained.Data.LabelsPath);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.InRange(json.RootElement.GetProperty("pr_auc").GetDouble(), 0.01, 1);
        Assert.InRange(json.RootElement.GetProperty("roc_auc").GetDouble(), 0.5, 1);
        Assert.True(json.RootElement.GetProperty("log_loss").GetDouble() > 0);
        var names = json.RootElement.GetProperty("thresholds").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(["review", "decline"], names);
        Assert.All(json.RootElement.GetProperty("thresholds").EnumerateArray(), t => Assert.InRange(t.GetProperty("precision").GetDouble(), 0, 1));
    }

    [Fact]
    public async Task EvaluateWritesTheMetricsFileWhenAsked()
    {
        var output = trained.Folder.File("metrics.json");

        var (exitCode, _, stderr) = await CliHarness.RunAsync("evaluate", "--model", trained.ModelDirectory, "--data", trained.Data.FeaturesPath, "--labels", trained.Data.LabelsPath, "--output", output);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllBytes(output));
        Assert.True(json.RootElement.TryGetProperty("pr_auc", out _));
    }

    [Fact]
    public async Task ExplainPrintsTheReasonsForOneBasket()
    {
        var id = BasketCsv.ReadBaskets(trained.Data.FeaturesPath).Skip(10).First().Id;

        var (exitCode, stdout, stderr) = await CliHarness.RunAsync("explain", "--model", trained.ModelDirectory, "--input", trained.Data.FeaturesPath, "--id", id);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"basket {id}: fraud probability", stdout, StringComparison.Ordinal);
        Assert.Contains("log-odds", stdout, StringComparison.Ordinal);
        Assert.Contains("Basket total £", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainOfAnUnknownIdFailsWithOneLine()
    {
        var (exitCode, stdout, stderr) = await CliHarness.RunAsync("explain", "--model", trained.ModelDirectory, "--input", trained.Data.FeaturesPath, "--id", "no-such-basket");

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("error: no basket with ID 'no-such-basket' in " + trained.Data.FeaturesPath + ".", stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task ScoreRefusesACorruptModelWithOneLine()
    {
        var folder = trained.Folder.File("corrupt");
        Directory.CreateDirectory(folder);
        var json = File.ReadAllText(Path.Combine(trained.ModelDirectory, "model.json"));
        File.WriteAllText(Path.Combine(folder, "model.json"), json[..(json.Length / 3)]);
        var output = trained.Folder.File("never.csv");

        var (exitCode, _, stderr) = await CliHarness.RunAsync("score", "--model", folder, "--input", trained.Data.FeaturesPath, "--output", output);

        Assert.Equal(1, exitCode);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("not valid JSON", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task TrainRefusesAnUnknownParameterWithOneLine()
    {
        var (exitCode, _, stderr) = await CliHarness.RunAsync("train", "--data", trained.Data.FeaturesPath, "--labels", trained.Data.LabelsPath, "--output", trained.Folder.File("x"), "--param", "leaves=3");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: --param Unknown training parameter 'leaves'", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task TrainWithoutLabelsFailsWithOneLine()
    {
        var (exitCode, _, stderr) = await CliHarness.RunAsync("train", "--data", trained.Data.FeaturesPath, "--output", trained.Folder.File("y"));

        Assert.Equal(1, exitCode);
        Assert.Contains("No labels", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task EvaluateOfAMissingModelFailsWithOneLine()
    {
        var (exitCode, _, stderr) = await CliHarness.RunAsync("evaluate", "--model", trained.Folder.File("nothing-here"), "--data", trained.Data.FeaturesPath, "--labels", trained.Data.LabelsPath);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: --model: no model.json at", stderr, StringComparison.Ordinal);
    }
}
