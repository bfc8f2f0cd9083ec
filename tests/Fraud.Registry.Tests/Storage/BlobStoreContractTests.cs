using System.Text;
using Fraud.Registry.Storage;

namespace Fraud.Registry.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IBlobStore"/> must have. Each subclass runs all of it against one real store
/// (a folder, a real Azurite), so the embedded store cannot drift from Azure's semantics.
/// </summary>
public abstract class BlobStoreContractTests
{
    private readonly string _container = "c" + Guid.NewGuid().ToString("N")[..12];

    protected abstract IBlobStore Store { get; }

    /// <summary>Creates a second, independent client on the same storage (another process would do the same).</summary>
    protected abstract IBlobStore OpenAnotherClient();

    [Fact]
    public async Task PutThenGetReturnsTheSameBytesAndETag()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var etag = await Store.PutAsync(_container, "models/a/model.json", Bytes("{\"x\":1}"), contentType: "application/json");

        var got = await Store.GetAsync(_container, "models/a/model.json");

        Assert.NotNull(got);
        Assert.Equal("{\"x\":1}", Text(got.Content));
        Assert.Equal(etag, got.ETag);
        Assert.InRange(got.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task GetOfMissingBlobOrContainerReturnsNull()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);

        Assert.Null(await Store.GetAsync(_container, "nothing/here.json"));
        Assert.Null(await Store.GetAsync("missing-" + _container, "nothing.json"));
    }

    [Fact]
    public async Task CreatingAnExistingContainerIsNotAnError()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        await Store.CreateContainerIfNotExistsAsync(_container);
        await Store.PutAsync(_container, "a", Bytes("1"));

        Assert.NotNull(await Store.GetAsync(_container, "a"));
    }

    [Fact]
    public async Task PutIntoMissingContainerThrowsNotFound()
    {
        var ex = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.PutAsync("missing-" + _container, "a", Bytes("1")));

        Assert.Equal(404, ex.Status);
        Assert.Equal("ContainerNotFound", ex.ErrorCode);
    }

    [Fact]
    public async Task EveryWriteGetsANewETag()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var first = await Store.PutAsync(_container, "a.json", Bytes("same"));
        var second = await Store.PutAsync(_container, "a.json", Bytes("same"));

        Assert.NotEqual(first, second);
        Assert.Equal(second, (await Store.GetAsync(_container, "a.json"))!.ETag);
    }

    [Fact]
    public async Task PutIfNotExistsFailsWhenTheBlobExistsAndKeepsTheOriginal()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        await Store.PutAsync(_container, "versions/1/model.json", Bytes("original"), BlobWriteCondition.IfNotExists);

        var ex = await Assert.ThrowsAsync<BlobPreconditionFailedException>(
            () => Store.PutAsync(_container, "versions/1/model.json", Bytes("overwrite"), BlobWriteCondition.IfNotExists));

        Assert.Contains(ex.Status, new[] { 409, 412 });
        Assert.Equal("original", Text((await Store.GetAsync(_container, "versions/1/model.json"))!.Content));
    }

    [Fact]
    public async Task PutIfMatchSucceedsWithTheCurrentETagAndFailsWithAStaleOne()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var v1 = await Store.PutAsync(_container, "aliases/champion.json", Bytes("1"));
        var v2 = await Store.PutAsync(_container, "aliases/champion.json", Bytes("2"), BlobWriteCondition.IfMatch(v1));

        var ex = await Assert.ThrowsAsync<BlobPreconditionFailedException>(
            () => Store.PutAsync(_container, "aliases/champion.json", Bytes("3"), BlobWriteCondition.IfMatch(v1)));

        Assert.Equal(412, ex.Status);
        var current = await Store.GetAsync(_container, "aliases/champion.json");
        Assert.Equal("2", Text(current!.Content));
        Assert.Equal(v2, current.ETag);
    }

    [Fact]
    public async Task PutIfMatchOnAMissingBlobFails()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var etag = await Store.PutAsync(_container, "gone.json", Bytes("1"));
        await Store.DeleteAsync(_container, "gone.json");

        await Assert.ThrowsAnyAsync<BlobStoreException>(
            () => Store.PutAsync(_container, "gone.json", Bytes("2"), BlobWriteCondition.IfMatch(etag)));
        Assert.Null(await Store.GetAsync(_container, "gone.json"));
    }

    [Fact]
    public async Task GetIfChangedReportsNotModifiedThenOkThenNotFound()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var etag = await Store.PutAsync(_container, "alias.json", Bytes("v1"));

        var unchanged = await Store.GetIfChangedAsync(_container, "alias.json", etag);
        Assert.Equal(BlobGetStatus.NotModified, unchanged.Status);
        Assert.Null(unchanged.Download);

        var newEtag = await Store.PutAsync(_container, "alias.json", Bytes("v2"));
        var changed = await Store.GetIfChangedAsync(_container, "alias.json", etag);
        Assert.Equal(BlobGetStatus.Ok, changed.Status);
        Assert.Equal("v2", Text(changed.Download!.Content));
        Assert.Equal(newEtag, changed.Download.ETag);

        await Store.DeleteAsync(_container, "alias.json");
        Assert.Equal(BlobGetStatus.NotFound, (await Store.GetIfChangedAsync(_container, "alias.json", newEtag)).Status);
    }

    [Fact]
    public async Task ListReturnsOnlyBlobsUnderThePrefixInNameOrderAcrossPages()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        string[] wanted = ["runs/r1/a.json", "runs/r1/b.json", "runs/r1/sub/c.json", "runs/r10/x.json", "runs/r2/a.json"];
        foreach (var name in wanted.Reverse())
        {
            await Store.PutAsync(_container, name, Bytes(name));
        }

        await Store.PutAsync(_container, "models/m/v.json", Bytes("other"));

        var all = await ToListAsync(Store.ListAsync(_container, "runs/"));
        var r1 = await ToListAsync(Store.ListAsync(_container, "runs/r1/"));
        var everything = await ToListAsync(Store.ListAsync(_container));

        Assert.Equal(wanted, all.Select(b => b.Name));
        Assert.Equal(["runs/r1/a.json", "runs/r1/b.json", "runs/r1/sub/c.json"], r1.Select(b => b.Name));
        Assert.Equal(6, everything.Count);
        Assert.Equal("runs/r1/a.json".Length, all[0].Size);
    }

    [Fact]
    public async Task ListedETagsMatchTheETagsOfReads()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var etag = await Store.PutAsync(_container, "p/one.json", Bytes("1"));

        var listed = Assert.Single(await ToListAsync(Store.ListAsync(_container, "p/")));

        Assert.Equal(etag, listed.ETag);
        Assert.Equal(BlobGetStatus.NotModified, (await Store.GetIfChangedAsync(_container, "p/one.json", listed.ETag)).Status);
    }

    [Fact]
    public async Task ListOfAMissingContainerIsEmpty()
    {
        Assert.Empty(await ToListAsync(Store.ListAsync("missing-" + _container, "x/")));
    }

    [Fact]
    public async Task DeleteReturnsTrueOnceThenFalse()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        await Store.PutAsync(_container, "d/x.bin", new byte[] { 1, 2, 3 });

        Assert.True(await Store.DeleteAsync(_container, "d/x.bin"));
        Assert.False(await Store.DeleteAsync(_container, "d/x.bin"));
        Assert.Null(await Store.GetAsync(_container, "d/x.bin"));
        Assert.Empty(await ToListAsync(Store.ListAsync(_container, "d/")));
    }

    [Fact]
    public async Task NamesWithSpacesAndNonAsciiCharactersRoundTrip()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        const string Name = "reports/run été 1/report (final)+%.html";
        await Store.PutAsync(_container, Name, Bytes("<html/>"));

        Assert.Equal("<html/>", Text((await Store.GetAsync(_container, Name))!.Content));
        Assert.Equal(Name, Assert.Single(await ToListAsync(Store.ListAsync(_container, "reports/"))).Name);
    }

    [Fact]
    public async Task UploadOfALargeStreamRoundTripsByteForByte()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var data = new byte[(3 * 256 * 1024) + 12345];
        new Random(42).NextBytes(data);
        using var stream = new MemoryStream(data);

        var etag = await Store.UploadAsync(_container, "scored/big.bin", stream, "application/octet-stream");
        var got = await Store.GetAsync(_container, "scored/big.bin");

        Assert.Equal(etag, got!.ETag);
        Assert.True(data.AsSpan().SequenceEqual(got.Content.Span));
        Assert.Equal(data.Length, Assert.Single(await ToListAsync(Store.ListAsync(_container, "scored/"))).Size);
    }

    [Fact]
    public async Task UploadOfAnEmptyStreamCreatesAnEmptyBlob()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        using var stream = new MemoryStream();

        await Store.UploadAsync(_container, "empty.bin", stream, "application/octet-stream");

        Assert.Equal(0, (await Store.GetAsync(_container, "empty.bin"))!.Content.Length);
    }

    [Theory]
    [InlineData("../outside.json")]
    [InlineData("a/../../outside.json")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task RejectsBlobNamesThatCouldEscapeTheContainer(string name)
    {
        await Store.CreateContainerIfNotExistsAsync(_container);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(_container, name, Bytes("x")));
        Assert.Contains("blob name", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("ab")]
    [InlineData("a--b")]
    [InlineData("../models")]
    public async Task RejectsInvalidContainerNames(string container)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateContainerIfNotExistsAsync(container));
        Assert.Contains("container name", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OfConcurrentCreateOnlyWritersExactlyOneWins()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var clients = Enumerable.Range(0, 8).Select(_ => OpenAnotherClient()).ToArray();

        var outcomes = await Task.WhenAll(clients.Select((client, i) => TryAsync(
            () => client.PutAsync(_container, "versions/7/model.json", Bytes($"writer {i}"), BlobWriteCondition.IfNotExists))));

        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<BlobPreconditionFailedException>(o));
        var winner = Array.FindIndex(outcomes, o => o is null);
        Assert.Equal($"writer {winner}", Text((await Store.GetAsync(_container, "versions/7/model.json"))!.Content));
    }

    [Fact]
    public async Task OfConcurrentIfMatchWritersExactlyOneWins()
    {
        await Store.CreateContainerIfNotExistsAsync(_container);
        var etag = await Store.PutAsync(_container, "aliases/champion.json", Bytes("start"));
        var clients = Enumerable.Range(0, 8).Select(_ => OpenAnotherClient()).ToArray();

        var outcomes = await Task.WhenAll(clients.Select((client, i) => TryAsync(
            () => client.PutAsync(_container, "aliases/champion.json", Bytes($"writer {i}"), BlobWriteCondition.IfMatch(etag)))));

        Assert.Equal(1, outcomes.Count(o => o is null));
        var winner = Array.FindIndex(outcomes, o => o is null);
        Assert.Equal($"writer {winner}", Text((await Store.GetAsync(_container, "aliases/champion.json"))!.Content));
    }

    protected static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private static async Task<Exception?> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (BlobStoreException ex)
        {
            return ex;
        }
    }
}
