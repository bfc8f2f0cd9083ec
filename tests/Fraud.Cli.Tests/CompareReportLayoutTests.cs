using System.Text.Json;
using Fraud.Baskets;
using Fraud.Testing;
using Microsoft.Playwright;

namespace Fraud.Cli.Tests;

/// <summary><c>fraud runs compare</c>'s report as a person opens it: a 1280-pixel-wide browser window (headless chromium).</summary>
public sealed class CompareReportLayoutTests : IDisposable
{
    private readonly TempDirectory _folder = new("fraud-cli-compare-layout");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task TheCompareReportFitsA1280PixelWindowWithoutScrollingSideways()
    {
        Chromium.EnsureInstalled();
        var store = _folder.File("store");
        var data = SyntheticBaskets.WriteDataset(_folder.File("data"), new GeneratorOptions { Rows = 3000, Seed = 12 });
        foreach (var seed in new[] { "1", "2" })
        {
            var train = await CliHarness.RunAsync(
                "train", "--data", data.FeaturesPath, "--labels", data.LabelsPath, "--output", _folder.File("model-" + seed), "--seed", seed, "--param", "num_rounds=8", "--store", store);
            Assert.True(train.ExitCode == 0, train.Stderr);
        }

        var runs = await CliHarness.RunAsync("runs", "list", "--json", "--store", store);
        using var listed = JsonDocument.Parse(runs.Stdout);
        var ids = listed.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        var html = _folder.File("compare.html");
        var compare = await CliHarness.RunAsync("runs", "compare", ids[0], ids[1], "--output", html, "--store", store);
        Assert.Equal(0, compare.ExitCode);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.ExecutablePath, Headless = true, Args = Chromium.Arguments });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(new Uri(html).AbsoluteUri);

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"the page is {widths[0]} px wide in a {widths[1]} px window: it scrolls sideways");

        // The fingerprints are still there in full, wrapped rather than cut.
        var fingerprint = listed.RootElement[0].GetProperty("dataset").GetProperty("fingerprint").GetString()!;
        Assert.Contains(fingerprint, await page.ContentAsync(), StringComparison.Ordinal);
    }
}
