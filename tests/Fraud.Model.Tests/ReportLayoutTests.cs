using Fraud.Model.Reports;
using Fraud.Testing;
using Microsoft.Playwright;

namespace Fraud.Model.Tests;

/// <summary>The training report's charts as a browser draws them (Debian's headless chromium).</summary>
public sealed class ReportLayoutTests
{
    [Fact]
    public async Task NoImportanceLabelIsCutOffAtTheChartsEdge()
    {
        Chromium.EnsureInstalled();
        var svg = Svg.Bars(
            [("category:TELEPHONESFAXMACHINESTWOWAYRADIOS", 0.03), ("make:APPLE", 0.12), ("category:TELEVISIONSHOMECINEMA", 0.01)],
            "mean |SHAP| (log-odds)");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.ExecutablePath, Headless = true, Args = Chromium.Arguments });
        var page = await browser.NewPageAsync();
        await page.SetContentAsync($"<!DOCTYPE html><html><body style=\"margin:2em;font-family:sans-serif\">{svg}</body></html>");

        // The left edge of every label, in the SVG's own coordinates: below 0 is drawn outside the chart (clipped).
        var lefts = await page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('svg text')].map(t => t.getBBox().x)");

        Assert.NotEmpty(lefts);
        Assert.All(lefts, x => Assert.True(x >= 0, $"a label starts at x = {x:F1}, outside the chart"));
    }
}
