using Fraud.Registry.Storage;
using Fraud.Testing;

namespace Fraud.Registry.Tests.Storage;

/// <summary>The contract suite against the embedded file-system store in a fresh folder.</summary>
public sealed class FileBlobStoreContractTests : BlobStoreContractTests, IDisposable
{
    private readonly TempDirectory _folder = new("fraud-store");

    public FileBlobStoreContractTests()
    {
        Store = new FileBlobStore(_folder.Path);
    }

    protected override IBlobStore Store { get; }

    protected override IBlobStore OpenAnotherClient() => new FileBlobStore(_folder.Path);

    [Fact]
    public async Task KeepsBlobsAsPlainFilesUnderTheContainerFolder()
    {
        await Store.CreateContainerIfNotExistsAsync("models");
        await Store.PutAsync("models", "basket-fraud/versions/1/card.json", Bytes("{\"card\":true}"));

        var path = Path.Combine(_folder.Path, "models", "basket-fraud", "versions", "1", "card.json");
        Assert.Equal("{\"card\":true}", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task NeverListsItsOwnBookkeepingFiles()
    {
        await Store.CreateContainerIfNotExistsAsync("runs");
        await Store.PutAsync("runs", "r1/run.json", Bytes("{}"));

        var names = (await ToListAsync(Store.ListAsync("runs"))).Select(b => b.Name).ToList();

        Assert.Equal(["r1/run.json"], names);
    }

    [Fact]
    public async Task AFileCopiedInByHandIsReadableWithAStableETag()
    {
        await Store.CreateContainerIfNotExistsAsync("labels");
        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "labels", "manual.csv"), "ID,fraud_flag\n1,0\n");

        var first = await Store.GetAsync("labels", "manual.csv");
        var second = await Store.GetAsync("labels", "manual.csv");

        Assert.Equal("ID,fraud_flag\n1,0\n", Text(first!.Content));
        Assert.Equal(first.ETag, second!.ETag);
    }

    [Fact]
    public async Task LeavesNoLockFileBehind()
    {
        await Store.CreateContainerIfNotExistsAsync("labels");
        for (var i = 0; i < 50; i++)
        {
            await Store.PutAsync("labels", $"2026/12/01/{i}.json", Bytes("[]"), BlobWriteCondition.IfNotExists);
            await Store.GetAsync("labels", $"2026/12/01/{i}.json");
        }

        await ToListAsync(Store.ListAsync("labels"));
        await Store.DeleteAsync("labels", "2026/12/01/0.json");

        var locks = Path.Combine(_folder.Path, ".store", "locks");
        Assert.Empty(Directory.Exists(locks) ? Directory.EnumerateFiles(locks, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task DeletingLockFilesKeepsConditionalWritesExclusiveAcrossClients()
    {
        await Store.CreateContainerIfNotExistsAsync("models");

        // Many rounds of many clients racing to create the same blob: exactly one may win each round, although every
        // release unlinks the lock file the others are waiting to take.
        for (var round = 0; round < 20; round++)
        {
            var clients = Enumerable.Range(0, 8).Select(_ => new FileBlobStore(_folder.Path)).ToList();
            var attempts = clients.Select(async (c, i) =>
            {
                await Task.Yield();
                try
                {
                    await c.PutAsync("models", $"race/{round}.json", Bytes($"{i}"), BlobWriteCondition.IfNotExists);
                    return 1;
                }
                catch (BlobPreconditionFailedException)
                {
                    return 0;
                }
            });

            Assert.Equal(1, (await Task.WhenAll(attempts)).Sum());
        }

        // And read-modify-write with If-Match never loses an update.
        await Store.PutAsync("models", "counter.json", Bytes("0"));
        var increments = Enumerable.Range(0, 8).Select(async _ =>
        {
            var client = new FileBlobStore(_folder.Path);
            for (var done = 0; done < 10;)
            {
                var current = await client.GetAsync("models", "counter.json");
                var next = int.Parse(Text(current!.Content), System.Globalization.CultureInfo.InvariantCulture) + 1;
                try
                {
                    await client.PutAsync("models", "counter.json", Bytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), BlobWriteCondition.IfMatch(current.ETag));
                    done++;
                }
                catch (BlobPreconditionFailedException)
                {
                }
            }
        });
        await Task.WhenAll(increments);

        Assert.Equal("80", Text((await Store.GetAsync("models", "counter.json"))!.Content));
    }

    public void Dispose() => _folder.Dispose();
}
