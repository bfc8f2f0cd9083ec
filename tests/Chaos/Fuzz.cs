using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Fraud.Chaos;

/// <summary>Seeded hostile requests: mutated JSON on every endpoint, wrong methods and types, broken HTTP framing.</summary>
internal static class Fuzz
{
    public static readonly string[] Paths =
        ["/api/score", "/api/score?explain=false", "/api/score?explain=maybe", "/api/score/batch", "/api/labels", "/ProcessBatch", "/api/health", "/api/health/details", "/api/model", "/api/stats", "/api/nope", "/", "/openapi/v1.json"];

    private static readonly string[] Weird =
        ["null", "-1", "0", "1e309", "-1e309", "\"\"", "[]", "{}", "true", "\"NaN\"", "99999999999999999999", "\"\\u0000\"", "\"\\ud800\"", "1.5", "\"2026-13-45\""];

    public sealed record Result(int Requests, Dictionary<string, int> Statuses);

    public static async Task<Result> RunAsync(Handler handler, int seed, int count, int workers)
    {
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var next = -1;
        var tasks = Enumerable.Range(0, workers).Select(async w =>
        {
            var random = new Random(HashCode.Combine(seed, w));
            while (Interlocked.Increment(ref next) < count)
            {
                var status = random.Next(10) < 2 ? await RawAsync(handler.Port, random) : await HttpAsync(handler.Http, random);
                lock (statuses)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                }
            }
        });
        await Task.WhenAll(tasks);
        return new Result(count, statuses);
    }

    /// <summary>Bodies that stop arriving: Kestrel's minimum data rate should answer 408 after its grace period.</summary>
    public static async Task<Dictionary<string, int>> StalledAsync(Handler handler, int count)
    {
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
            SendRawAsync(handler.Port, "POST /api/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 800\r\n\r\n{\"id\":\"stall\",", halfClose: false, TimeSpan.FromSeconds(30))));
        foreach (var status in results)
        {
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }

        return statuses;
    }

    private static async Task<string> HttpAsync(HttpClient http, Random random)
    {
        var path = Paths[random.Next(Paths.Length)];
        var method = random.Next(10) switch { 0 => HttpMethod.Get, 1 => HttpMethod.Put, 2 => HttpMethod.Delete, _ => HttpMethod.Post };
        using var request = new HttpRequestMessage(method, path);
        if (method != HttpMethod.Get)
        {
            var body = Mutate(ValidBody(path, random), random);
            var content = new ByteArrayContent(body);
            switch (random.Next(8))
            {
                case 0:
                    break; // no content type
                case 1:
                    content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
                    break;
                case 2:
                    content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-16");
                    break;
                default:
                    content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                    break;
            }

            request.Content = content;
        }

        if (random.Next(20) == 0)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", new string('k', random.Next(1, 5000)));
        }

        try
        {
            using var response = await http.SendAsync(request);
            var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            return (int)response.StatusCode == 503 && ProbeCounts.IsBusyProblem(await response.Content.ReadAsStringAsync()) ? ProbeCounts.Busy : status;
        }
        catch (HttpRequestException)
        {
            return "connection-error";
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }

    private static Task<string> RawAsync(int port, Random random)
    {
        var path = Paths[random.Next(Paths.Length)];
        var body = Encoding.UTF8.GetString(ValidBody(path, random));
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        return random.Next(6) switch
        {
            // A chunk size that is not hex.
            0 => SendRawAsync(port, head + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n" + body + "\r\n0\r\n\r\n", false, TimeSpan.FromSeconds(10)),
            // A chunk longer than it says.
            1 => SendRawAsync(port, head + "Transfer-Encoding: chunked\r\n\r\n3\r\n" + body + "\r\n0\r\n\r\n", false, TimeSpan.FromSeconds(10)),
            // A body shorter than its Content-Length, then the client hangs up.
            2 => SendRawAsync(port, head + $"Content-Length: {body.Length + 100}\r\n\r\n" + body, true, TimeSpan.FromSeconds(10)),
            // Both framings at once.
            3 => SendRawAsync(port, head + $"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n", false, TimeSpan.FromSeconds(10)),
            // A garbage request line.
            4 => SendRawAsync(port, "P\u00d8ST /api/score HTTP/9.9\r\n\r\n", false, TimeSpan.FromSeconds(10)),
            // A negative length.
            _ => SendRawAsync(port, head + "Content-Length: -5\r\n\r\n" + body, false, TimeSpan.FromSeconds(10)),
        };
    }

    public static async Task<string> SendRawAsync(int port, string request, bool halfClose, TimeSpan limit)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
            if (halfClose)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }

            using var timeout = new CancellationTokenSource(limit);
            var buffer = new byte[4096];
            var answer = new StringBuilder();
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.Latin1.GetString(buffer, 0, read));
                if (answer.Length >= 12)
                {
                    break;
                }
            }

            var text = answer.ToString();
            if (text.StartsWith("HTTP/1.1 503", StringComparison.Ordinal))
            {
                // The envelope gate answers before reading the body, so broken framing to /ProcessBatch can meet it too:
                // read the problem's title to count it apart (ProbeCounts).
                while (answer.Length < 8192 && !answer.ToString().Contains(ProbeCounts.BusyTitle, StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    answer.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }

                return answer.ToString().Contains(ProbeCounts.BusyTitle, StringComparison.Ordinal) ? ProbeCounts.Busy : "503";
            }

            return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 ? text[9..12] : "closed";
        }
        catch (IOException)
        {
            return "closed";
        }
        catch (SocketException)
        {
            return "connection-error";
        }
        catch (OperationCanceledException)
        {
            return "no-answer";
        }
    }

    public static byte[] ValidBody(string path, Random random)
    {
        var basket = Basket(random, $"fz-{random.Next():x}", random.Next(1, 25), 20);
        var text = path switch
        {
            _ when path.StartsWith("/api/score/batch", StringComparison.Ordinal) => $"{{\"baskets\":[{basket},{Basket(random, $"fz-{random.Next():x}", 2, 10)}]}}",
            "/api/labels" => $"[{{\"id\":\"fz-{random.Next():x}\",\"fraudFlag\":true,\"source\":\"fuzz\",\"observedAt\":\"2026-11-20T09:30:00Z\"}}]",
            "/ProcessBatch" => Envelope($"{{\"batchId\":\"fz-{random.Next():x}\",\"baskets\":[{basket}]}}", $"m-{random.Next():x}", DateTimeOffset.UtcNow),
            _ => basket,
        };
        return Encoding.UTF8.GetBytes(text);
    }

    public static string Basket(Random random, string id, int items, int stringLength)
    {
        var lines = Enumerable.Range(0, items).Select(_ =>
            $"{{\"item\":\"{Text(random, stringLength)}\",\"cashPrice\":{(random.NextDouble() * 3000).ToString("F2", CultureInfo.InvariantCulture)},\"make\":\"{Text(random, stringLength)}\",\"model\":\"{Text(random, stringLength)}\",\"goodsCode\":\"{Text(random, stringLength)}\",\"quantity\":{random.Next(1, 4)}}}");
        return $"{{\"id\":\"{id}\",\"items\":[{string.Join(',', lines)}]}}";
    }

    public static string Envelope(string message, string messageId, DateTimeOffset enqueued)
    {
        static string Twice(string value) => System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonSerializer.Serialize(value));
        return "{\"Data\":{\"message\":" + Twice(message) + "},\"Metadata\":{\"MessageId\":" + Twice(messageId)
            + ",\"DeliveryCount\":\"1\",\"EnqueuedTimeUtc\":" + Twice(enqueued.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) + "}}";
    }

    private static string Text(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)('A' + random.Next(26));
        }

        return new string(chars);
    }

    private static byte[] Mutate(byte[] body, Random random)
    {
        var text = Encoding.UTF8.GetString(body);
        switch (random.Next(9))
        {
            case 0:
                return body; // valid
            case 1:
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]); // truncated
            case 2:
                {
                    var at = random.Next(text.Length);
                    return Encoding.UTF8.GetBytes(text[..at] + Weird[random.Next(Weird.Length)] + text[at..]); // junk inserted
                }

            case 3:
                {
                    // A value replaced by a weird literal.
                    var colon = text.IndexOf(':', random.Next(text.Length));
                    if (colon < 0)
                    {
                        return body;
                    }

                    var end = text.IndexOfAny([',', '}', ']'], colon + 1);
                    return end < 0 ? body : Encoding.UTF8.GetBytes(text[..(colon + 1)] + Weird[random.Next(Weird.Length)] + text[end..]);
                }

            case 4:
                return Encoding.UTF8.GetBytes(new string('[', random.Next(1, 5000))); // deep nesting
            case 5:
                {
                    var bytes = new byte[random.Next(0, 4096)];
                    random.NextBytes(bytes);
                    return bytes; // noise
                }

            case 6:
                return Encoding.UTF8.GetBytes(text.Replace("\"id\"", "\"id\":\"dup\",\"id\"", StringComparison.Ordinal)); // duplicate key
            case 7:
                return Encoding.UTF8.GetBytes(text.Replace("\"cashPrice\"", "\"price\"", StringComparison.Ordinal)); // misspelt field
            default:
                {
                    var bytes = (byte[])body.Clone();
                    for (var i = 0; i < 1 + random.Next(8); i++)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256); // flipped bytes
                    }

                    return bytes;
                }
        }
    }
}
