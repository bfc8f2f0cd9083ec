using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fraud.Testing;

namespace Fraud.Chaos;

/// <summary>
/// The handler executable (built beside this program) on a loopback port: the tests' <see cref="HandlerProcess"/> plus
/// what the probe needs on top (an HTTP client, readiness on /api/health, memory, SIGTERM, a kept log).
/// </summary>
internal sealed class Handler : IDisposable
{
    private readonly HandlerProcess _process;

    private Handler(HandlerProcess process)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port => _process.Port;

    /// <summary>Where handler logs are written on dispose.</summary>
    public static string LogFolder { get; set; } = Path.GetTempPath();

    public HttpClient Http { get; }

    public bool Alive => !_process.HasExited;

    public IReadOnlyList<string> Output => _process.Output;

    public static Handler Start(string workingDirectory, string storage, params (string Key, string? Value)[] settings) =>
        new(HandlerProcess.Start(
            workingDirectory,
            LoopbackPort.Free(),
            [("FraudStorage", storage), ("Fraud__BootstrapTrainingRows", "3000"), .. settings]));

    /// <summary>Waits for /api/health to say 200 (a champion is loaded).</summary>
    public async Task WaitHealthyAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The handler exited ({_process.ExitCode}):\n{string.Join('\n', Output.TakeLast(20))}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The handler was not healthy within {limit}:\n{string.Join('\n', Output.TakeLast(20))}");
    }

    /// <summary>Resident memory of the handler in MB (the process's working set, VmRSS on Linux).</summary>
    public double RssMb() => _process.HasExited ? double.NaN : _process.WorkingSetBytes / (1024.0 * 1024.0);

    /// <summary>SIGTERM, as a platform stopping an instance does, then waits for a graceful exit.</summary>
    public async Task<(bool Exited, TimeSpan Took)> TerminateAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        Proc.Signal(_process.Id, "TERM");
        using var timeout = new CancellationTokenSource(limit);
        var exited = await _process.WaitForExitAsync(timeout.Token);
        return (exited, clock.Elapsed);
    }

    public void Dispose()
    {
        // Kept beside the store, so an answer >= 500 can be traced to its log line afterwards.
        try
        {
            File.WriteAllLines(Path.Combine(LogFolder, $"handler-{_process.Id.ToString(CultureInfo.InvariantCulture)}.log"), Output);
        }
        catch (IOException)
        {
        }

        Http.Dispose();
        _process.Dispose();
    }
}

/// <summary>Linux process helpers: signals, and finding a process by its command line.</summary>
internal static class Proc
{
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>The process whose command line contains every one of <paramref name="parts"/> (Azurite's node).</summary>
    public static int? Find(params string[] parts)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (parts.All(p => cmd.Contains(p, StringComparison.Ordinal)))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }
}
