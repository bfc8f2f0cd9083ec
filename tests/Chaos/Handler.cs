using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fraud.Chaos;

/// <summary>The handler executable (built beside this program) as a real process on a loopback port.</summary>
internal sealed class Handler : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private Handler(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    /// <summary>Where handler logs are written on dispose.</summary>
    public static string LogFolder { get; set; } = Path.GetTempPath();

    public int Pid => _process.Id;

    public HttpClient Http { get; }

    public bool Alive => !_process.HasExited;

    public IReadOnlyList<string> Output => [.. _output];

    public static Handler Start(string workingDirectory, string storage, params (string Key, string Value)[] settings)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "FraudFunctions"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("FUNCTIONS_CUSTOMHANDLER_PORT");
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        start.Environment["FraudStorage"] = storage;
        start.Environment["Fraud__BootstrapTrainingRows"] = "3000";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        return new Handler(Process.Start(start)!, port);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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

    /// <summary>Resident memory of the handler in MB (Linux /proc), or NaN when unknown.</summary>
    public double RssMb() => Proc.RssMb(_process.Id);

    /// <summary>SIGTERM, as a platform stopping an instance does, then waits for a graceful exit.</summary>
    public async Task<(bool Exited, TimeSpan Took)> TerminateAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        Proc.Signal(_process.Id, "TERM");
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return (true, clock.Elapsed);
        }
        catch (OperationCanceledException)
        {
            return (false, clock.Elapsed);
        }
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
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}

/// <summary>Linux process helpers: resident memory and signals.</summary>
internal static class Proc
{
    public static double RssMb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = double.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kb / 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return double.NaN;
    }

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
