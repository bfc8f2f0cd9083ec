using System.Text;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Fraud.Baskets;
using Fraud.Cli.Commands;
using Fraud.Registry;
using Fraud.Registry.Batches;
using Fraud.Registry.Storage;
using Fraud.Testing;

namespace Fraud.Cli.Tests;

/// <summary>
/// `fraud submit` up to the SDK call (no Service Bus emulator runs here): the batching against a size limit, the
/// claim check against a real Azurite, the ids and the resend. The sender is the SDK's own mocking surface
/// (<see cref="ServiceBusSender"/>'s protected constructor, <see cref="ServiceBusModelFactory"/> batches).
/// </summary>
public sealed class SubmitCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const long StandardLimit = 256 * 1024;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task SmallBatchesShareServiceBusBatchesUpToTheLimitEachWithItsBatchIdAsMessageId()
    {
        var csv = WriteCsv("small.csv", 1000);
        var sender = new RecordingSender(StandardLimit);
        var store = BlobStoreFactory.Create(azurite.ConnectionString);

        var sent = await BatchSender.SendAsync(sender, BatchPlan.FromCsv(csv, 100, "small"), store, null, CancellationToken.None);

        Assert.Equal(10, sent.Count);
        Assert.All(sent, b => Assert.Equal(BatchSender.Inline, b.Form));
        var messages = sender.Sent.SelectMany(m => m).ToList();
        Assert.Equal(sent.Select(b => b.Id), messages.Select(m => m.MessageId));
        Assert.Equal("small-00001", messages[0].MessageId);
        Assert.True(sender.Sent.Count < 10, "several batches share one SendMessagesAsync call");
        Assert.All(sender.Sent, group => Assert.InRange(group.Sum(RecordingSender.SizeOf), 1, StandardLimit));
        using var body = JsonDocument.Parse(messages[3].Body.ToMemory());
        Assert.Equal("small-00004", body.RootElement.GetProperty("batchId").GetString());
        Assert.Equal(100, body.RootElement.GetProperty("baskets").GetArrayLength());
        Assert.False(body.RootElement.TryGetProperty("blob", out _));
    }

    [Fact]
    public async Task ABatchOverTheLimitGoesByClaimCheckToAzuriteAndAResendWritesNothingNew()
    {
        var csv = WriteCsv("big.csv", 1200);
        var store = BlobStoreFactory.Create(azurite.ConnectionString);
        var plan = BatchPlan.FromCsv(csv, 1000, "big-" + Guid.NewGuid().ToString("N")[..8]).ToList();
        Assert.True(plan[0].InlineBody.Length > StandardLimit, "1000 baskets are over 256 KB");
        Assert.True(plan[1].InlineBody.Length < StandardLimit, "200 baskets fit");

        var first = new RecordingSender(StandardLimit);
        var sent = await BatchSender.SendAsync(first, plan, store, null, CancellationToken.None);

        Assert.Equal([BatchSender.ClaimCheck, BatchSender.Inline], sent.Select(b => b.Form));
        var claim = first.Sent.SelectMany(m => m).First(m => m.MessageId == plan[0].Id);
        using (var body = JsonDocument.Parse(claim.Body.ToMemory()))
        {
            Assert.Equal(plan[0].Id, body.RootElement.GetProperty("batchId").GetString());
            Assert.Equal($"batches/incoming/{plan[0].Id}.json", body.RootElement.GetProperty("blob").GetString());
        }

        var stored = await store.GetAsync(Containers.Batches, BatchNames.IncomingName(plan[0].Id));
        Assert.Equal(plan[0].InlineBody, stored!.Content.ToArray());

        var again = await BatchSender.SendAsync(new RecordingSender(StandardLimit), plan, store, null, CancellationToken.None);

        Assert.Equal(BatchSender.ClaimCheckResent, again[0].Form);
        Assert.Equal(stored.ETag, (await store.GetAsync(Containers.Batches, BatchNames.IncomingName(plan[0].Id)))!.ETag);
    }

    [Fact]
    public async Task AnotherBatchUnderAClaimCheckIdAlreadyTakenIsRefusedBeforeAnythingIsSent()
    {
        var store = BlobStoreFactory.Create(azurite.ConnectionString);
        var id = "taken-" + Guid.NewGuid().ToString("N")[..8];
        var original = BatchPlan.FromCsv(WriteCsv("a.csv", 1000, seed: 1), 1000, id).ToList();
        var other = BatchPlan.FromCsv(WriteCsv("b.csv", 1000, seed: 2), 1000, id).ToList();
        await BatchSender.SendAsync(new RecordingSender(StandardLimit), original, store, null, CancellationToken.None);
        var second = new RecordingSender(StandardLimit);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => BatchSender.SendAsync(second, other, store, null, CancellationToken.None));

        Assert.Contains("already holds a different batch", ex.Message, StringComparison.Ordinal);
        Assert.Empty(second.Sent);
    }

    [Fact]
    public void TheDefaultBatchIdsDependOnlyOnTheFileContent()
    {
        var a = WriteCsv("same.csv", 50, seed: 3);
        var copy = Path.Combine(_folder.Path, "copy");
        Directory.CreateDirectory(copy);
        File.Copy(a, Path.Combine(copy, "same.csv"));
        var changed = WriteCsv("changed.csv", 51, seed: 3);

        Assert.Equal(BatchPlan.DefaultPrefix(a), BatchPlan.DefaultPrefix(Path.Combine(copy, "same.csv")));
        Assert.NotEqual(BatchPlan.DefaultPrefix(a)[^12..], BatchPlan.DefaultPrefix(changed)[^12..]);
        Assert.True(BatchNames.IsValidId(BatchPlan.DefaultPrefix(a) + "-00001"));
    }

    [Fact]
    public async Task SubmitNeedsExactlyOneOfNamespaceAndConnection()
    {
        var csv = WriteCsv("x.csv", 5);

        var neither = await CliHarness.RunAsync("submit", "--queue", "basket-batches", "--input", csv, "--store", _folder.Path);
        var both = await CliHarness.RunAsync("submit", "--queue", "basket-batches", "--input", csv, "--store", _folder.Path, "--namespace", "x.servicebus.windows.net", "--connection", "Endpoint=sb://x/");

        Assert.NotEqual(0, neither.ExitCode);
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("exactly one of --namespace", neither.Stderr + neither.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadConnectionStringIsRefusedWithoutEchoingIt()
    {
        var csv = WriteCsv("y.csv", 5);

        var result = await CliHarness.RunAsync("submit", "--queue", "q", "--input", csv, "--store", _folder.Path, "--connection", "SharedAccessKey=s3cr3t-value");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--connection", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--batch-size", "0")]
    [InlineData("--batch-size", "10001")]
    [InlineData("--batch-prefix", "bad\n")]
    public async Task RejectsBadOptionsWithAMessage(string option, string value)
    {
        var csv = WriteCsv("z.csv", 5);

        var result = await CliHarness.RunAsync("submit", "--queue", "q", "--input", csv, "--namespace", "x.servicebus.windows.net", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(option, result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    private string WriteCsv(string name, int rows, int seed = 7)
    {
        var path = Path.Combine(_folder.Path, name);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        BasketCsv.WriteBaskets(writer, SyntheticBaskets.Generate(new GeneratorOptions { Rows = rows, Seed = seed }).Select(b => b.Basket));
        return path;
    }

    /// <summary>
    /// A <see cref="ServiceBusSender"/> that records what it is asked to send. Its batches accept messages while the
    /// bodies plus a per-message allowance for AMQP headers stay within the limit, as the service's batches do.
    /// </summary>
    private sealed class RecordingSender(long maxBytes) : ServiceBusSender
    {
        private List<ServiceBusMessage> _current = [];

        public List<List<ServiceBusMessage>> Sent { get; } = [];

        public static long SizeOf(ServiceBusMessage message) => message.Body.ToMemory().Length + 256;

        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default)
        {
            var store = new List<ServiceBusMessage>();
            long size = 0;
            _current = store;
            return ValueTask.FromResult(ServiceBusModelFactory.ServiceBusMessageBatch(maxBytes, store, tryAddCallback: message =>
            {
                if (size + SizeOf(message) > maxBytes)
                {
                    return false;
                }

                size += SizeOf(message);
                return true;
            }));
        }

        public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
        {
            Sent.Add([.. _current]);
            return Task.CompletedTask;
        }
    }
}
