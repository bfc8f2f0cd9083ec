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
