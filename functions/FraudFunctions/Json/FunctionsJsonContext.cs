using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Baskets;
using FraudFunctions.Batches;
using FraudFunctions.Labels;
using FraudFunctions.Protocol;
using FraudFunctions.Scoring;
using FraudFunctions.Status;
using Microsoft.AspNetCore.Mvc;

namespace FraudFunctions.Json;

/// <summary>
/// Source-generated serialisation for every type the handler reads or writes: no reflection at start-up (cold starts
/// matter on a serverless plan) and faster per-request serialisation.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(Basket))]
[JsonSerializable(typeof(List<Basket>))]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(ScoreBatchRequest))]
[JsonSerializable(typeof(ScoreBatchResponse))]
[JsonSerializable(typeof(ModelSummary))]
[JsonSerializable(typeof(List<LabelDto>))]
[JsonSerializable(typeof(LabelsResponse))]
[JsonSerializable(typeof(BatchMessage))]
[JsonSerializable(typeof(ScoredLine))]
[JsonSerializable(typeof(BatchCompletion))]
[JsonSerializable(typeof(RejectedMessage))]
[JsonSerializable(typeof(BatchClaim))]
[JsonSerializable(typeof(InvocationResponse<ProcessBatchOutputs, BatchCompletion>))]
[JsonSerializable(typeof(InvocationResponse<MonitorOutputs, MonitoringRunSummary>))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
public sealed partial class FunctionsJsonContext : JsonSerializerContext;
