using System.CommandLine;
using System.Diagnostics;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Fraud.Cli.Infrastructure;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud submit</c>: the partner-side client. Cuts a challenge CSV into batches (ids from the file, so a resend is
/// recognised), packs them into <see cref="ServiceBusMessageBatch"/>es up to the queue's size, sends an oversized batch
/// by claim check, and prints every batch id.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create()
    {
        var queue = new Option<string>("--queue") { Description = "Service Bus queue of the batches (basket-batches).", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "Features CSV in the challenge layout.", Required = true };
        var batchSize = new Option<int>("--batch-size") { Description = "Baskets per batch (1-10000).", DefaultValueFactory = _ => 500 };
        var ns = new Option<string?>("--namespace") { Description = "Service Bus namespace (<name>.servicebus.windows.net); signs in with DefaultAzureCredential (Azure Service Bus Data Sender)." };
        var connection = new Option<string?>("--connection") { Description = "Service Bus connection string (instead of --namespace; local tools only)." };
        var prefix = new Option<string?>("--batch-prefix") { Description = "Batch id prefix (default: the file name and 12 hex digits of its SHA-256)." };
        var store = StoreCli.StoreOption();
        store.Description = "Where claim-check bodies go (batches/incoming/): the FraudStorage the handler reads. " + store.Description;
        var command = new Command("submit", "Send a CSV of baskets to the batch queue, claim check for oversized batches; prints the batch ids.");
        foreach (var option in new Option[] { queue, input, batchSize, ns, connection, prefix, store })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => StoreCli.RunAsync(async () =>
        {
            var path = CliOptions.ExistingFile(parse.GetValue(input), "--input");
            var size = parse.GetValue(batchSize);
            if (size is < 1 or > BatchPlan.MaxBatchSize)
            {
                throw new CliException($"--batch-size must be between 1 and {BatchPlan.MaxBatchSize}, not {size}.");
            }

            var queueName = parse.GetValue(queue);
            if (string.IsNullOrWhiteSpace(queueName))
            {
                throw new CliException("--queue is required.");
            }

            var idPrefix = parse.GetValue(prefix) ?? BatchPlan.DefaultPrefix(path);
            if (!BatchNames.IsValidId(idPrefix + "-00001"))
            {
                throw new CliException($"--batch-prefix: batch ids must be {BatchNames.IdRule}.");
            }

            var claimStore = StoreCli.OpenStore(parse.GetValue(store));
            await using var client = CreateClient(parse.GetValue(ns), parse.GetValue(connection));
            await using var sender = client.CreateSender(queueName);
            var clock = Stopwatch.StartNew();
            long baskets = 0;
            var sent = await BatchSender.SendAsync(
                sender,
                BatchPlan.FromCsv(path, size, idPrefix),
                claimStore,
                batch =>
                {
                    baskets += batch.Baskets;
                    CliConsole.WriteLine(CliConsole.Invariant($"{batch.Id}\t{batch.Baskets} baskets\t{batch.Form}"));
                },
                ct);
            var claimChecked = sent.Count(b => b.Form != BatchSender.Inline);
            CliConsole.WriteLine(CliConsole.Invariant(
                $"sent {sent.Count} batches ({baskets:N0} baskets, {claimChecked} by claim check on {claimStore.Description}) to {queueName} on {client.FullyQualifiedNamespace} in {clock.Elapsed.TotalSeconds:F1} s"));
        }));
        return command;
    }

    private static ServiceBusClient CreateClient(string? fullyQualifiedNamespace, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(fullyQualifiedNamespace) == string.IsNullOrWhiteSpace(connectionString))
        {
            throw new CliException("give exactly one of --namespace <name>.servicebus.windows.net or --connection <connection string>.");
        }

        var options = BatchSender.ClientOptions();
        try
        {
            return string.IsNullOrWhiteSpace(connectionString)
                ? new ServiceBusClient(fullyQualifiedNamespace, new DefaultAzureCredential(), options)
                : new ServiceBusClient(connectionString, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            // The SDK's message may quote the connection string, which holds a key: never echo it.
            throw new CliException(string.IsNullOrWhiteSpace(connectionString)
                ? $"--namespace: {ex.Message.Split(" (Parameter", 2)[0]}"
                : "--connection is not a valid Service Bus connection string (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...).");
        }
    }
}

/// <summary>A batch handed to Service Bus: id, basket count and form (<see cref="BatchSender.Inline"/> or claim check).</summary>
public sealed record SentBatch(string Id, int Baskets, string Form);

/// <summary>
/// The sending loop of <c>fraud submit</c>, a thin layer over <see cref="ServiceBusSender"/>: messages go into the
/// SDK's <see cref="ServiceBusMessageBatch"/>, which measures them against the queue's real size limit; a full batch is
/// sent and a new one started; a message too big for an empty batch goes by claim check instead.
/// </summary>
public static class BatchSender
{
    public const string Inline = "inline";

    public const string ClaimCheck = "claim check";

    public const string ClaimCheckResent = "claim check (body already stored)";

    /// <summary>Retries for the sender: exponential from 0.8 s, 5 retries, 60 s per try (docs/settings.md).</summary>
    public static ServiceBusClientOptions ClientOptions() => new()
    {
        RetryOptions = new ServiceBusRetryOptions
        {
            Mode = ServiceBusRetryMode.Exponential,
            MaxRetries = 5,
            Delay = TimeSpan.FromSeconds(0.8),
            MaxDelay = TimeSpan.FromSeconds(30),
            TryTimeout = TimeSpan.FromSeconds(60),
        },
    };

    /// <summary>
    /// Sends every planned batch; <paramref name="onSent"/> runs for each once Service Bus has accepted its message.
    /// A claim-check body is written before its message is sent, so the handler never sees a message without its body.
    /// </summary>
    public static async Task<IReadOnlyList<SentBatch>> SendAsync(
        ServiceBusSender sender, IEnumerable<PlannedBatch> batches, IBlobStore claimStore, Action<SentBatch>? onSent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(claimStore);
        var sent = new List<SentBatch>();
        var pending = new List<SentBatch>();
        var outgoing = await sender.CreateMessageBatchAsync(ct);
        try
        {
            foreach (var batch in batches)
            {
                var message = Message(batch.Id, batch.InlineBody);
                var form = Inline;
                if (!outgoing.TryAddMessage(message))
                {
                    if (outgoing.Count > 0)
                    {
                        outgoing = await SendPendingAsync(sender, outgoing, pending, sent, onSent, ct);
                    }

                    if (!outgoing.TryAddMessage(message))
                    {
                        // Too big for a message of its own: the body goes to the store, the message points at it.
                        var write = await ClaimChecks.WriteAsync(claimStore, batch.Id, batch.InlineBody, ct);
                        form = write == ClaimCheckWrite.Written ? ClaimCheck : ClaimCheckResent;
                        if (!outgoing.TryAddMessage(Message(batch.Id, BatchMessages.ClaimCheck(batch.Id))))
                        {
                            throw new InvalidOperationException($"Even the claim-check message of {batch.Id} does not fit the queue's {outgoing.MaxSizeInBytes} bytes.");
                        }
                    }
                }

                pending.Add(new SentBatch(batch.Id, batch.Baskets.Count, form));
            }

            if (outgoing.Count > 0)
            {
                outgoing = await SendPendingAsync(sender, outgoing, pending, sent, onSent, ct);
            }
        }
        finally
        {
            outgoing.Dispose();
        }

        return sent;
    }

    private static async Task<ServiceBusMessageBatch> SendPendingAsync(
        ServiceBusSender sender, ServiceBusMessageBatch full, List<SentBatch> pending, List<SentBatch> sent, Action<SentBatch>? onSent, CancellationToken ct)
    {
        await sender.SendMessagesAsync(full, ct);
        full.Dispose();
        foreach (var batch in pending)
        {
            sent.Add(batch);
            onSent?.Invoke(batch);
        }

        pending.Clear();
        return await sender.CreateMessageBatchAsync(ct);
    }

    /// <summary>MessageId = batch id, so the queue's duplicate detection drops a resend within its window.</summary>
    private static ServiceBusMessage Message(string batchId, byte[] body) =>
        new(BinaryData.FromBytes(body)) { MessageId = batchId, ContentType = "application/json", Subject = "basket-batch" };
}
