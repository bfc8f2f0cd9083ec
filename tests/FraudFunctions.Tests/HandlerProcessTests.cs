using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Fraud.Testing;

namespace FraudFunctions.Tests;

/// <summary>The handler as a user starts it: a real process on a real port, its console read as a person reads it.</summary>
public sealed class HandlerProcessTests : IDisposable
{
    private readonly TempDirectory _folder = new("fraud-handler-process");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ListensAtOnceAndAnswersHealth503StartingWhileTheFirstModelTrains()
    {
        var port = LoopbackPort.Free();
        using var handler = HandlerProcess.Start(_folder.Path, port, ("FraudStorage", _folder.File("store")), ("Fraud__BootstrapTrainingRows", "4000"));
        Assert.True(await handler.WaitReadyAsync(TimeSpan.FromSeconds(60)), handler.Describe());
        using var http = new HttpClient { BaseAddress = handler.BaseAddress };

        using var early = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
        var earlyBody = await early.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.Equal("starting", earlyBody.GetProperty("status").GetString());
        Assert.Contains("training the first model", earlyBody.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        using var score = await http.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket("early")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, score.StatusCode);
        Assert.Contains("training the first model", await score.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var health = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
            status = health.StatusCode;
        }
        while (status != HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromMinutes(5) && !handler.HasExited);

        Assert.Equal(HttpStatusCode.OK, status);
        using var scored = await http.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(Samples.Basket("ready")));
        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        var output = handler.Describe();
        Assert.Contains($"Now listening on: http://127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.Contains("training a first one", output, StringComparison.Ordinal);
        Assert.Contains("now serving it", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABusyPortIsOneLineAndExitCode1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var handler = HandlerProcess.Start(_folder.Path, port, ("FraudStorage", _folder.File("store")));

        Assert.True(handler.WaitForExit(TimeSpan.FromSeconds(60)), handler.Describe());
        Assert.Equal(1, handler.ExitCode);
        var lines = handler.Output.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        Assert.Single(lines, l => l.Contains("already in use", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"127.0.0.1:{port}", StringComparison.Ordinal) && l.Contains("--urls", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task KestrelEndpointSettingsCannotOpenTheNetworkWithoutAKey()
    {
        var port = LoopbackPort.Free();
        using var handler = HandlerProcess.Start(
            _folder.Path,
            port,
            ("FraudStorage", _folder.File("store")),
            ("Kestrel__Endpoints__Http__Url", $"http://0.0.0.0:{port}"));

        Assert.True(handler.WaitForExit(TimeSpan.FromSeconds(60)), $"the handler kept running: {handler.Describe()}");
        Assert.Equal(1, handler.ExitCode);
        Assert.Contains(handler.Output, l => l.Contains("Refusing to listen on http://0.0.0.0", StringComparison.Ordinal));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task ReadsItsSettingsFromItsOwnFolderWhenStartedFromAnother()
    {
        var port = LoopbackPort.Free();
        using var handler = HandlerProcess.Start(_folder.Path, port, ("FraudStorage", _folder.File("store")));
        Assert.True(await handler.WaitReadyAsync(TimeSpan.FromSeconds(60)), handler.Describe());
        using var http = new HttpClient { BaseAddress = handler.BaseAddress };
        for (var i = 0; i < 5; i++)
        {
            using var _ = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
        }

        await Task.Delay(500);

        // appsettings.json keeps Microsoft.AspNetCore at Warning: no per-request lines, whatever the working folder.
        Assert.DoesNotContain(handler.Output, l => l.Contains("Request starting", StringComparison.Ordinal) || l.Contains("Request finished", StringComparison.Ordinal));
        Assert.Contains(handler.Output, l => l.Contains("Content root path: " + AppContext.BaseDirectory.TrimEnd('/'), StringComparison.Ordinal));
    }

    [Fact]
    public async Task BrokenFramingAndStalledBodiesAre400And408InOneLogLineEach()
    {
        var port = LoopbackPort.Free();
        using var handler = HandlerProcess.Start(_folder.Path, port, ("FraudStorage", _folder.File("store")));
        Assert.True(await handler.WaitReadyAsync(TimeSpan.FromSeconds(60)), handler.Describe());

        var badChunk = await RawAsync(port, "POST /api/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n", halfClose: false);
        var shortBody = await RawAsync(port, "POST /api/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":\"a\",", halfClose: true);
        var shortEnvelope = await RawAsync(port, "POST /ProcessBatch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"Data\":", halfClose: true);
        var stalled = await RawAsync(port, "POST /api/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":", halfClose: false);
        await Task.Delay(500);

        Assert.StartsWith("HTTP/1.1 400", badChunk, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 408", stalled, StringComparison.Ordinal);

        // A client that ends its side before the declared length is gone: nothing to answer, and never a 500.
        Assert.DoesNotContain("HTTP/1.1 5", shortBody, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1 5", shortEnvelope, StringComparison.Ordinal);
        Assert.False(handler.HasExited);
        var output = handler.Output;
        Assert.DoesNotContain(output, l => l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        // One line per failed request. A half-closed short body is either seen first as the end of its content
        // (Kestrel's 400 "Unexpected end of request content", a client error) or as the connection ending (the client
        // went away): both are the client's doing and both are right, so only the total and the two fixed ones count.
        var clientErrors = output.Count(l => l.Contains("Client error", StringComparison.Ordinal));
        var wentAway = output.Count(l => l.Contains("Client went away", StringComparison.Ordinal));
        Assert.Equal(4, clientErrors + wentAway);
        Assert.InRange(clientErrors, 2, 4);
        Assert.Contains(output, l => l.Contains("Client error POST /api/score: 408", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AThirdConcurrentEnvelopeIsTurnedAwayInsteadOfBuffered()
    {
        var port = LoopbackPort.Free();
        using var handler = HandlerProcess.Start(_folder.Path, port, ("FraudStorage", _folder.File("store")));
        Assert.True(await handler.WaitReadyAsync(TimeSpan.FromSeconds(60)), handler.Describe());

        // Two envelopes still arriving hold both slots (the host never sends more than two at once).
        var slow = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var client = new TcpClient();
                slow.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, port);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("POST /ProcessBatch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{\"Data\":"));
            }

            await Task.Delay(500);
            using var http = new HttpClient { BaseAddress = handler.BaseAddress };
            using var third = await http.PostAsync(new Uri("/ProcessBatch", UriKind.Relative), Samples.Json(Envelopes.ServiceBus(Envelopes.Batch("third", 2), "msg-third", 1)));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
            Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            foreach (var client in slow)
            {
                client.Dispose();
            }
        }
    }

    // Writes raw bytes (HTTP a client library would refuse to send) and returns what the server answered.
    private static async Task<string> RawAsync(int port, string request, bool halfClose)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        if (halfClose)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[8192];
        var answer = new StringBuilder();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
                if (answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        return answer.ToString();
    }
}
