using System.Text;
using System.Text.Json;
using FraudFunctions.Protocol;

namespace FraudFunctions.Tests;

/// <summary>The host's envelope as Microsoft's custom-handler docs and the host's behaviour describe it.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public void DecodesAServiceBusBodySerialisedASecondTime()
    {
        const string Envelope = """
            {"Data":{"message":"\"{\\\"batchId\\\":\\\"b-1\\\",\\\"baskets\\\":[]}\""},
             "Metadata":{"MessageId":"\"m-1\"","DeliveryCount":"5","sys":{"MethodName":"ProcessBatch"}}}
            """;
        using var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes(Envelope));

        Assert.True(request.TryGetBinding("message", out var message));
        Assert.Equal(JsonValueKind.Object, message.ValueKind);
        Assert.Equal("b-1", message.GetProperty("batchId").GetString());
        Assert.Equal("m-1", request.GetMetadataString("MessageId"));
        Assert.Equal(5, request.GetMetadataInt64("DeliveryCount"));
    }

    [Fact]
    public void DecodesALargeDoubleEncodedBodyWithoutAUtf16Copy()
    {
        // A ProcessBatch message of 10,000 baskets is a 6.6 MiB JSON string inside the envelope. Unescaping it through
        // GetString() made a UTF-16 copy of twice its size before parsing it again (8.9 % of a warm batch's CPU samples,
        // docs/performance.md); decoding straight to UTF-8 allocates about the escaped size once.
        var body = new StringBuilder("{\"batchId\":\"big-1\",\"baskets\":[");
        for (var i = 0; i < 3000; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("{\"id\":\"b-").Append(i)
                .Append("\",\"items\":[{\"item\":\"TELEVISIONS\",\"cashPrice\":499.99,\"quantity\":1,\"make\":\"LG\",\"model\":\"OLED55 ÉCRAN\"}]}");
        }

        var message = body.Append("]}").ToString();
        // Escaped as the host escapes (a backslash before each quote), not System.Text.Json's default \u0022.
        var relaxed = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var envelope = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { Data = new { message = JsonSerializer.Serialize(message, relaxed) }, Metadata = new { } }, relaxed));
        var messageBytes = Encoding.UTF8.GetByteCount(message);

        long allocated = 0;
        for (var round = 0; round < 2; round++)
        {
            // The second round counts: the first rents the parser's pooled buffers.
            var before = GC.GetAllocatedBytesForCurrentThread();
            using var request = InvocationRequest.Parse(envelope);
            Assert.True(request.TryGetBinding("message", out var decoded));
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(JsonValueKind.Object, decoded.ValueKind);
            Assert.Equal(3000, decoded.GetProperty("baskets").GetArrayLength());
            Assert.Equal("OLED55 ÉCRAN", decoded.GetProperty("baskets")[2999].GetProperty("items")[0].GetProperty("model").GetString());
        }

        Assert.True(allocated < envelope.Length * 2L, $"decoding a {messageBytes:N0}-byte message ({envelope.Length:N0}-byte envelope) allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AcceptsABodyThatArrivesAsAJsonObjectAndNumbersThatArriveAsNumbers()
    {
        const string Envelope = """{"Data":{"message":{"batchId":"b-2","baskets":[]}},"Metadata":{"DeliveryCount":2}}""";
        using var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes(Envelope));

        Assert.True(request.TryGetBinding("message", out var message));
        Assert.Equal("b-2", message.GetProperty("batchId").GetString());
        Assert.Equal(2, request.GetMetadataInt64("DeliveryCount"));
    }

    [Fact]
    public void KeepsAPlainStringThatIsNotJsonAsAString()
    {
        const string Envelope = """{"Data":{"message":"hello world"},"Metadata":{}}""";
        using var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes(Envelope));

        Assert.True(request.TryGetBinding("message", out var message));
        Assert.Equal(JsonValueKind.String, message.ValueKind);
        Assert.Equal("hello world", message.GetString());
    }

    [Fact]
    public void ReadsTheEnqueuedTimeAsUtc()
    {
        const string Envelope = """{"Data":{"message":"{}"},"Metadata":{"EnqueuedTimeUtc":"\"2026-11-20T23:59:58.123Z\""}}""";
        using var request = InvocationRequest.Parse(Encoding.UTF8.GetBytes(Envelope));

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 23, 59, 58, 123, TimeSpan.Zero), request.GetMetadataTime("EnqueuedTimeUtc"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"Metadata":{}}""")]
    public void RejectsABodyThatIsNotAnEnvelope(string body)
    {
        Assert.Throws<InvalidEnvelopeException>(() => InvocationRequest.Parse(Encoding.UTF8.GetBytes(body)));
    }
}
