using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Fraud.Testing;

/// <summary>
/// The handler as a real process (Kestrel, real sockets, its own console), started from the caller's output folder
/// (where the FraudFunctions project reference puts the executable) the way <c>dotnet run</c> or the Functions host
/// starts it. Killed on dispose. Used by FraudFunctions.Tests and by the fraud-chaos probe.
/// </summary>
public sealed class HandlerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HandlerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Every line the process wrote to stdout and stderr so far.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The operating system's process id.</summary>
    public int Id => _process.Id;

    /// <summary>Resident memory now (the working set: VmRSS on Linux); 0 once the process has exited.</summary>
    public long WorkingSetBytes
    {
        get
        {
            try
            {
                _process.Refresh();
                return _process.WorkingSet64;
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <summary>
    /// Starts the handler executable. <paramref name="workingDirectory"/> defaults to a fresh temp folder (never the
    /// application's folder), so settings must be found through the application's own folder.
    /// </summary>
    public static HandlerProcess Start(string workingDirectory, int port, params (string Key, string? Value)[] environment)
    {
        var executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "FraudFunctions.exe" : "FraudFunctions");
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Nothing inherited from the test host decides where it listens or which settings it reads.
        foreach (var key in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "FUNCTIONS_CUSTOMHANDLER_PORT", "ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT" })
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        start.Environment["Fraud__BootstrapTrainingRows"] = "0";
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return new HandlerProcess(Process.Start(start)!, port);
    }

    /// <summary>Waits until <c>GET /</c> answers (true) or the process exits or time runs out (false).</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && !_process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>Waits for the process to exit by itself.</summary>
    public bool WaitForExit(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit))
        {
            return false;
        }

        _process.WaitForExit(); // drains the redirected output
        return true;
    }

    /// <summary>Waits for the process to exit by itself; false when <paramref name="ct"/> ends first.</summary>
    public async Task<bool> WaitForExitAsync(CancellationToken ct)
    {
        try
        {
            await _process.WaitForExitAsync(ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public string Describe() => string.Join(Environment.NewLine, Output);

    public void Dispose()
    {
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

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
