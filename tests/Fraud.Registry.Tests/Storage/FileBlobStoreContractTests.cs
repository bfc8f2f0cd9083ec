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

    public void Dispose() => _folder.Dispose();
}
