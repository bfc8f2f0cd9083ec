using System.Text.Json;

namespace FraudFunctions.Tests;

/// <summary>
/// The Functions host's request payloads for non-HTTP triggers, shaped like Microsoft's custom-handler docs and the
/// host's behaviour: binding values and metadata strings serialised a second time.
/// </summary>
internal static class Envelopes
{
    public static string ServiceBus(string messageBody, string messageId, int deliveryCount, string enqueuedTimeUtc = "2026-11-20T08:15:30.5Z") =>
        $$"""
        {
          "Data": {
            "message": {{Twice(messageBody)}}
          },
          "Metadata": {
            "MessageId": {{Twice(messageId)}},
            "DeliveryCount": "{{deliveryCount}}",
            "EnqueuedTimeUtc": {{Twice(enqueuedTimeUtc)}},
            "ContentType": "\"application/json\"",
            "SequenceNumber": "17",
            "sys": {
              "MethodName": "ProcessBatch",
              "UtcNow": "2026-11-20T08:15:31.0Z",
              "RandGuid": "5a0bd4a2-2f3a-4a6e-a0b5-0e2c5a4a9e11"
            }
          }
        }
        """;

    public static string Timer(bool pastDue = false) => $$"""
        {
          "Data": {
            "timer": {
              "Schedule": { "AdjustForDST": true },
              "ScheduleStatus": { "Last": "2026-11-20T07:00:00+00:00", "Next": "2026-11-20T08:00:00+00:00", "LastUpdated": "2026-11-20T07:00:00+00:00" },
              "IsPastDue": {{(pastDue ? "true" : "false")}}
            }
          },
          "Metadata": {
            "sys": { "MethodName": "MonitorModel", "UtcNow": "2026-11-20T08:00:00.01Z", "RandGuid": "1e8c3c55-3c0e-4c58-8d0e-6d1b0c9b8f3a" }
          }
        }
        """;

    public static string Batch(string batchId, int baskets, int firstInvalid = -1) =>
        $$"""{"batchId":"{{batchId}}","baskets":[{{string.Join(',', Enumerable.Range(0, baskets).Select(i => Samples.Basket($"{batchId}-{i:D5}", items: 1 + (i % 3), quantity: i == firstInvalid ? "0" : "1")))}}]}""";

    /// <summary>A JSON string literal holding the JSON serialisation of <paramref name="value"/> as a string.</summary>
    private static string Twice(string value) => JsonSerializer.Serialize(JsonSerializer.Serialize(value));
}
