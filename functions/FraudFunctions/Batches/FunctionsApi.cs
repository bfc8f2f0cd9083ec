using System.Diagnostics;
using FraudFunctions.Http;
using FraudFunctions.Json;
using FraudFunctions.Protocol;
using FraudFunctions.Status;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FraudFunctions.Batches;

/// <summary>
/// The non-HTTP functions, called by the host as <c>POST /&lt;FunctionName&gt;</c> with its JSON envelope:
/// <c>ProcessBatch</c> (Service Bus trigger) and <c>MonitorModel</c> (timer trigger).
/// A 2xx answer completes the trigger; any other fails the invocation so the host retries.
/// </summary>
public static class FunctionsApi
{
    /// <summary>
    /// Service Bus Premium's largest message (100 MB) after the host's second serialisation (a backslash before every
    /// quote: about a fifth more for basket JSON), with room to spare. Standard's messages are at most 256 KB.
    /// </summary>
    public const long MaxEnvelopeBytes = 160L * 1024 * 1024;

    /// <summary>A timer envelope is a few hundred bytes.</summary>
    public const long MaxTimerEnvelopeBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapHostFunctions(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Standalone with Fraud__ApiKey set, these need the key like /api does; without one the handler listens on
        // loopback only, and under the host on 127.0.0.1 only, where the host is the caller.
        var functions = Hosting.ApiKeyFilterExtensions.RequireApiKey(app.MapGroup(string.Empty));
        functions.MapPost("/ProcessBatch", ProcessBatchAsync).WithName("ProcessBatch").ExcludeFromDescription();
        functions.MapPost("/MonitorModel", MonitorModelAsync).WithName("MonitorModel").ExcludeFromDescription();
        return app;
    }

    internal static async Task<Results<Ok<InvocationResponse<ProcessBatchOutputs, BatchCompletion>>, ProblemHttpResult>> ProcessBatchAsync(
        HttpRequest request, BatchProcessor processor, ScoringTelemetry telemetry, EnvelopeGate gate, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(FunctionsApi).FullName + ".ProcessBatch");
        using var slot = gate.TryEnter();
        if (slot is null)
        {
            return Problems.Busy($"{EnvelopeGate.MaxConcurrent} batch invocations are already in progress on this instance; the host retries this one.");
        }

        var (body, problem) = await EnvelopeBody.ReadAsync(request, MaxEnvelopeBytes);
        if (problem is not null)
        {
            return problem;
        }

        using var envelope = Parse(body, out var envelopeProblem);
        if (envelope is null)
        {
            return envelopeProblem!;
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            var outcome = await processor.ProcessAsync(envelope, body, request.HttpContext.RequestAborted);
            var c = outcome.Completion;
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            string log;
            if (outcome.IsRejected)
            {
                // Everything here may quote the sender's MessageId or batch id: escaped, so it cannot forge log lines.
                log = $"Batch message {LogText.Escape(c.MessageId)} rejected ({LogText.Escape(c.Field)}: {LogText.Escape(c.Reason)}); recorded at {c.Location.Container}/{LogText.Escape(c.Location.Name)}.";
                logger.LogWarning("Batch message {MessageId} rejected: {Field}", LogText.Escape(c.MessageId), LogText.Escape(c.Field));
                telemetry.Rejected(c.MessageId, c.Field!, c.Reason!);
            }
            else
            {
                log = outcome.AlreadyDone
                    ? $"Batch {LogText.Escape(c.BatchId)} was already scored; re-sent its completion ({c.Counts!.Scored} scored, {c.Counts.Flagged} flagged)."
                    : $"Batch {LogText.Escape(c.BatchId)}: {c.Counts!.Scored} scored, {c.Counts.Invalid} invalid, {c.Counts.Flagged} flagged by model {c.ModelVersion} in {seconds:F2} s.";
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("{BatchSummary}", log);
                }

                if (!outcome.AlreadyDone)
                {
                    telemetry.Request(ScoringTelemetry.SourceQueue, Stopwatch.GetElapsedTime(start), c.Counts.Scored, c.Counts.Flagged);
                }
            }

            return TypedResults.Ok(new InvocationResponse<ProcessBatchOutputs, BatchCompletion>
            {
                Outputs = new ProcessBatchOutputs(c),
                Logs = [log],
                ReturnValue = c,
            });
        }
        catch (ModelUnavailableException ex)
        {
            logger.LogWarning("Batch not processed, no model loaded; the host will retry.");
            return Problems.NoModel(ex.Message);
        }
        catch (Exception ex) when (StoreErrors.IsStoreFailure(ex))
        {
            logger.LogWarning(ex, "Batch not processed, store failure; the host will retry.");
            return Problems.StoreUnavailable("The store could not be reached; the batch was not processed and will be retried.");
        }
    }

    internal static async Task<Results<Ok<InvocationResponse<MonitorOutputs, MonitoringRunSummary>>, ProblemHttpResult>> MonitorModelAsync(
        HttpRequest request, IMonitoringRunner runner, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(FunctionsApi).FullName + ".MonitorModel");
        var (body, problem) = await EnvelopeBody.ReadAsync(request, MaxTimerEnvelopeBytes);
        if (problem is not null)
        {
            return problem;
        }

        using var envelope = Parse(body, out var envelopeProblem);
        if (envelope is null)
        {
            return envelopeProblem!;
        }

        var pastDue = envelope.TryGetBinding("timer", out var timer) && timer.ValueKind == System.Text.Json.JsonValueKind.Object
            && timer.TryGetProperty("IsPastDue", out var due) && due.ValueKind == System.Text.Json.JsonValueKind.True;
        try
        {
            var summary = await runner.RunAsync(request.HttpContext.RequestAborted);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Monitoring run: {Outcome}", summary.Outcome);
            }
            return TypedResults.Ok(new InvocationResponse<MonitorOutputs, MonitoringRunSummary>
            {
                Outputs = new MonitorOutputs(),
                Logs = [$"Monitoring run{(pastDue ? " (past due)" : string.Empty)}: {summary.Outcome}. {summary.Detail}"],
                ReturnValue = summary,
            });
        }
        catch (Exception ex) when (StoreErrors.IsStoreFailure(ex))
        {
            logger.LogWarning(ex, "Monitoring run failed, store failure.");
            return Problems.StoreUnavailable("The store could not be reached; the monitoring run will happen at the next schedule.");
        }
    }

    private static InvocationRequest? Parse(ReadOnlyMemory<byte> body, out ProblemHttpResult? problem)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            // JsonDocument accepts invalid UTF-8 inside strings and only GetString throws later (a 500 in the fuzz).
            problem = Problems.Invalid("body", "The invocation body is not valid UTF-8.");
            return null;
        }

        try
        {
            problem = null;
            return InvocationRequest.Parse(body);
        }
        catch (InvalidEnvelopeException ex)
        {
            problem = Problems.Invalid("body", ex.Message);
            return null;
        }
    }
}
