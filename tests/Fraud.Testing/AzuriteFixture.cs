using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fraud.Testing;

/// <summary>
/// A real Azurite Blob service for the tests of one assembly (use as an xunit class or collection fixture).
/// Azurite is the npm package pinned in tests/azurite/package.json; when it is not installed yet the fixture
/// runs <c>npm ci</c> there itself, so a plain <c>dotnet test</c> works on a fresh clone. It listens on a
/// free loopback port with in-memory persistence. It checks API versions (no <c>--skipApiVersionCheck</c>), so the
/// service version pinned in <c>BlobStoreClientOptions</c> is exercised as in local development. If it cannot start, the fixture throws: tests that need
/// Azurite fail, they never skip.
/// </summary>
public sealed class AzuriteFixture : IDisposable
{
    /// <summary>Azurite's documented development account (public, not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    // Microsoft's well-known Azurite development key, published in the Azurite docs; it grants nothing outside a local emulator.
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    public AzuriteFixture()
    {
        var folder = RepositoryPaths.Combine("tests", "azurite");
        var main = Path.Combine(folder, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        NpmFolder.EnsureInstalled(folder, main, "Azurite");

        Port = LoopbackPort.Free();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     main, "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--inMemoryPersistence", "--loose", "--silent", "--disableTelemetry",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitForPort(Port, TimeSpan.FromSeconds(60));
    }

    public int Port { get; }

    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    /// <summary>A Shared Key connection string for this Azurite instance.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void WaitForPort(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening on port {port}.");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        throw new InvalidOperationException($"Azurite did not listen on port {port} within {timeout.TotalSeconds} s.");
    }
}
