using System.Text;
using Fraud.Registry;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

public sealed class ResultsCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task WritesTheScoredLinesOfABatchAsCsvInBasketOrder()
    {
        var store = new FileBlobStore(_folder.Path);
        await store.CreateContainerIfNotExistsAsync(Containers.Scored);
        var lines =
            """{"index":0,"id":"a,1","fraudProbability":0.25,"decision":"review","modelVersion":"3","basket":{"id":"a,1","items":[]}}""" + "\n"
            + """{"index":1,"id":"b","error":{"field":"baskets[1].items","message":"A basket needs 1 to 24 items."}}""" + "\n";
        await store.PutAsync(Containers.Scored, BatchNames.ResultName("b-7"), Encoding.UTF8.GetBytes(lines));
        var output = Path.Combine(_folder.Path, "scores.csv");

        var result = await CliHarness.RunAsync("results", "--batch", "b-7", "--store", _folder.Path, "--output", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("2 baskets (1 not scored)", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            ["ID,fraud_probability,decision,model_version,error", "\"a,1\",0.25,review,3,", "b,,,,baskets[1].items: A basket needs 1 to 24 items."],
            File.ReadAllLines(output));
    }

    [Fact]
    public async Task AnUnknownBatchIsAClearErrorAndAnUnsafeIdIsRefused()
    {
        var missing = await CliHarness.RunAsync("results", "--batch", "nope", "--store", _folder.Path);
        var unsafeId = await CliHarness.RunAsync("results", "--batch", "../models", "--store", _folder.Path);

        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no results for batch nope", missing.Stderr + missing.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, unsafeId.ExitCode);
        Assert.Contains("--batch", unsafeId.Stderr + unsafeId.Stdout, StringComparison.Ordinal);
    }
}
