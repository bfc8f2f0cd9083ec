using System.Net;
using Fraud.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FraudFunctions.Tests;

/// <summary>The test page in a real headless Chromium (Debian's package) against the handler on a real loopback port.</summary>
[Collection(HandlerTests.Name)]
public sealed class TestPageBrowserTests(TrainedStore trained)
{

    [Fact]
    public async Task ScoresTheSampleBasketAndShowsProbabilityDecisionReasonsAndModelVersion()
    {
        Chromium.EnsureInstalled();
        using var factory = new HandlerFactory(trained.Copy());
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("fraud-chromium-");
        try
        {
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.FullName, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = Chromium.ExecutablePath,
                Headless = true,
                Args = Chromium.Arguments,
                ViewportSize = new ViewportSize { Width = 1200, Height = 1000 },
            });
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            await page.GotoAsync(address + "/");
            await Assertions.Expect(page.Locator("#items tbody tr")).ToHaveCountAsync(2);

            // The API-key box shows its whole hint (issue 19, item 13): the placeholder's width fits inside the box.
            var placeholder = await page.EvaluateAsync<double[]>("""
                () => { const i = document.getElementById('api-key'); const s = getComputedStyle(i);
                        const c = document.createElement('canvas').getContext('2d'); c.font = s.font;
                        return [c.measureText(i.placeholder).width, i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)]; }
                """);
            Assert.True(placeholder[0] <= placeholder[1], $"the API-key placeholder needs {placeholder[0]:F0} px but the box shows {placeholder[1]:F0} px");

            await page.SelectOptionAsync("#sample", "phones");
            await page.FillAsync("#basket-id", "browser-basket-1");
            await page.ClickAsync("#score");

            await Assertions.Expect(page.Locator("#result")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#probability")).ToContainTextAsync("%");
            await Assertions.Expect(page.Locator("#decision")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(approve|review|decline)$"));
            await Assertions.Expect(page.Locator("#result-model")).ToHaveTextAsync("1");
            Assert.InRange(await page.Locator("#reasons .bar").CountAsync(), 1, 5);
            await Assertions.Expect(page.Locator("#stat-model")).ToHaveTextAsync("1");
            await Assertions.Expect(page.Locator("#stat-rate")).ToContainTextAsync("req/s");

            var screenshot = Path.Combine(AppContext.BaseDirectory, "test-page.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            Assert.True(new FileInfo(screenshot).Length > 10_000);

            // A bad basket shows the field to fix instead of a result.
            await page.FillAsync("#items tbody tr:first-child input[name=quantity]", "0");
            await page.ClickAsync("#score");
            await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("items[0].quantity");
            await Assertions.Expect(page.Locator("#result")).ToBeHiddenAsync();

            // An empty unit price is caught on the page, never sent as 0 (issue 19, items 1 and 13).
            await page.FillAsync("#items tbody tr:first-child input[name=quantity]", "1");
            await page.FillAsync("#items tbody tr:first-child input[name=cashPrice]", "");
            await page.ClickAsync("#score");
            await Assertions.Expect(page.Locator("#error li")).ToContainTextAsync("items[0].cashPrice");
            await Assertions.Expect(page.Locator("#result")).ToBeHiddenAsync();

            // No more rows than a basket holds.
            for (var i = 0; i < 30; i++)
            {
                if (await page.Locator("#add-item").IsDisabledAsync())
                {
                    break;
                }

                await page.ClickAsync("#add-item");
            }

            await Assertions.Expect(page.Locator("#items tbody tr")).ToHaveCountAsync(24);
            await Assertions.Expect(page.Locator("#add-item")).ToBeDisabledAsync();

            // After batch requests of hundreds of milliseconds the page shows the figure, not "≥ 100 ms" (issue 19, item 13).
            await page.RouteAsync("**/api/stats", route => route.FulfillAsync(new RouteFulfillOptions
            {
                ContentType = "application/json",
                Body = """
                    {"scoring":{"windowSeconds":60,"requestsPerSecond":0.5,"baskets":3000,"flaggedRate":0.02,"latencyP50Ms":241.2,"latencyP99Ms":612.9},
                     "modelVersion":"1","at":"2026-12-01T10:00:00Z"}
                    """,
            }));
            await Assertions.Expect(page.Locator("#stat-latency")).ToHaveTextAsync("241 ms / 613 ms", new() { Timeout = 15_000 });
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
