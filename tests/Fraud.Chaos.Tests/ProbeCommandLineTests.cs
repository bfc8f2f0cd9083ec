using System.Diagnostics;
using Fraud.Chaos;

namespace Fraud.Chaos.Tests;

public sealed class ProbeCommandLineTests
{
    [Fact]
    public async Task HelpPrintsUsageAndStartsNoProbe()
    {
        var (exit, output, error) = await RunAsync("--help");

        Assert.Equal(0, exit);
        Assert.Contains("Usage: fraud-chaos", output, StringComparison.Ordinal);
        Assert.Contains("--outage-seconds", output, StringComparison.Ordinal);
        // The probe's first step prints its work folder and "[1] fuzzed requests"; --help must not get there.
        Assert.DoesNotContain("work folder", output, StringComparison.Ordinal);
        Assert.DoesNotContain("[1]", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("--fuzzz", "10")]
    [InlineData("--fuzz", "many")]
    [InlineData("--rounds")]
    public async Task ABadOptionIsAnErrorWithTheUsageAndStartsNoProbe(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(args[0], error, StringComparison.Ordinal);
        Assert.Contains("Usage: fraud-chaos", error, StringComparison.Ordinal);
        Assert.DoesNotContain("work folder", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheEnvelopeGatesBusyAnswersAreCountedApartFromServerErrors()
    {
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal) { ["200"] = 90, ["400"] = 30, [ProbeCounts.Busy] = 7, ["500"] = 2, ["503"] = 1, ["timeout"] = 4 };

        Assert.Equal(3, ProbeCounts.ServerErrors(statuses));
        Assert.Equal(7, ProbeCounts.BusyAnswers(statuses));
    }

    [Fact]
    public void OnlyTheHandlersBusyProblemIsTakenForTheGate()
    {
        Assert.True(ProbeCounts.IsBusyProblem("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Too many requests of this kind in progress.","status":503,"detail":"2 batch invocations are already in progress on this instance; the host retries this one."}"""));
        Assert.False(ProbeCounts.IsBusyProblem("""{"title":"The store is unavailable.","status":503}"""));
        Assert.False(ProbeCounts.IsBusyProblem("Service Unavailable"));
        Assert.False(ProbeCounts.IsBusyProblem(string.Empty));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fraud-chaos.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"fraud-chaos {string.Join(' ', args)} was still running after 2 minutes: it started the probe.");
        }

        return (process.ExitCode, await output, await error);
    }
}
