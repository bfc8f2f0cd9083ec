using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Fraud.Registry.Storage;

/// <summary>
/// The embedded store: containers are folders under <see cref="Root"/> and blobs are plain files, so artifacts can be
/// opened directly. Each blob's ETag lives in a sidecar file under <c>.store/meta</c>; every operation on a blob holds
/// an exclusive lock file for that blob (an OS file lock, so it holds across processes), and content is written to a
/// temporary file and moved into place, so a reader never sees a half-written blob and two conditional writers can
/// never both win.
/// </summary>
public sealed class FileBlobStore : IBlobStore
{
    private const string SystemFolder = ".store";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly string _metaRoot;
    private readonly string _lockRoot;
    private readonly string _tempRoot;

    /// <summary>Opens (and creates on first write) a store rooted at <paramref name="root"/>.</summary>
    public FileBlobStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        var system = Path.Combine(Root, SystemFolder);
        _metaRoot = Path.Combine(system, "meta");
        _lockRoot = Path.Combine(system, "locks");
        _tempRoot = Path.Combine(system, "tmp");
    }

    /// <summary>The absolute root folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public string Description => $"file store at {Root}";

    /// <inheritdoc />
    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default)
    {
        BlobNames.ValidateContainer(container);
        Directory.CreateDirectory(Path.Combine(Root, container));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default)
    {
        var result = await GetIfChangedAsync(container, name, null, ct);
        return result.Download;
    }

    /// <inheritdoc />
    public async Task<BlobGetResult> GetIfChangedAsync(string container, string name, string? ifNoneMatchETag, CancellationToken ct = default)
    {
        var paths = Resolve(container, name);
        if (!File.Exists(paths.Data))
        {
            return BlobGetResult.NotFound;
        }

        using (await AcquireLockAsync(paths.Lock, ct))
        {
            var meta = await ReadMetaAsync(paths, ct);
            if (meta is null)
            {
                return BlobGetResult.NotFound;
            }

            if (ifNoneMatchETag is not null && string.Equals(ifNoneMatchETag, meta, StringComparison.Ordinal))
            {
                return BlobGetResult.NotModified;
            }

            var content = await File.ReadAllBytesAsync(paths.Data, ct);
            return BlobGetResult.Ok(new BlobDownload(content, meta, File.GetLastWriteTimeUtc(paths.Data)));
        }
    }

    /// <inheritdoc />
    public async Task<string> PutAsync(
        string container,
        string name,
        ReadOnlyMemory<byte> content,
        BlobWriteCondition condition = default,
        string contentType = "application/octet-stream",
        CancellationToken ct = default)
    {
        var paths = Resolve(container, name);
        var temp = NewTempPath();
        await using (var stream = CreateTemp(temp))
        {
            await stream.WriteAsync(content, ct);
        }

        return await CommitAsync(paths, container, name, temp, condition, ct);
    }

    /// <inheritdoc />
    public async Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var paths = Resolve(container, name);
        var temp = NewTempPath();
        await using (var stream = CreateTemp(temp))
        {
            await content.CopyToAsync(stream, ct);
        }

        return await CommitAsync(paths, container, name, temp, BlobWriteCondition.None, ct);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItemInfo> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        BlobNames.ValidateContainer(container);
        BlobNames.ValidatePrefix(prefix);
        var containerPath = Path.Combine(Root, container);
        prefix ??= string.Empty;

        // Start at the deepest folder the prefix names, so listing one model's versions doesn't walk every prediction file.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? containerPath : Path.Combine(containerPath, prefix[..slash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var names = new List<string>();
        foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(containerPath, file).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            ct.ThrowIfCancellationRequested();
            var paths = Resolve(container, name);
            string? etag;
            FileInfo info;
            using (await AcquireLockAsync(paths.Lock, ct))
            {
                etag = await ReadMetaAsync(paths, ct);
                info = new FileInfo(paths.Data);
            }

            // A blob deleted since the folder was read is simply not listed.
            if (etag is not null && info.Exists)
            {
                yield return new BlobItemInfo(name, info.Length, etag, info.LastWriteTimeUtc);
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default)
    {
        var paths = Resolve(container, name);
        if (!File.Exists(paths.Data))
        {
            return false;
        }

        using (await AcquireLockAsync(paths.Lock, ct))
        {
            if (!File.Exists(paths.Data))
            {
                return false;
            }

            File.Delete(paths.Data);
            File.Delete(paths.Meta);
            return true;
        }
    }

    private async Task<string> CommitAsync(BlobPaths paths, string container, string name, string temp, BlobWriteCondition condition, CancellationToken ct)
    {
        try
        {
            if (!Directory.Exists(Path.Combine(Root, container)))
            {
                throw new BlobNotFoundException($"Container '{container}' does not exist in {Description}.", 404, "ContainerNotFound");
            }

            using (await AcquireLockAsync(paths.Lock, ct))
            {
                var current = File.Exists(paths.Data) ? await ReadMetaAsync(paths, ct) : null;
                if (condition.IfNotExistsRequired && current is not null)
                {
                    throw new BlobPreconditionFailedException($"Blob '{container}/{name}' already exists.", 409, "BlobAlreadyExists");
                }

                if (condition.IfMatchETag is { } expected && !string.Equals(expected, current, StringComparison.Ordinal))
                {
                    throw new BlobPreconditionFailedException(
                        $"Blob '{container}/{name}' changed since it was read (ETag {current ?? "none"}, expected {expected}).", 412, "ConditionNotMet");
                }

                var etag = NewETag();
                Directory.CreateDirectory(Path.GetDirectoryName(paths.Data)!);
                Directory.CreateDirectory(Path.GetDirectoryName(paths.Meta)!);
                if (Directory.Exists(paths.Data))
                {
                    throw new BlobStoreException($"Blob '{container}/{name}' clashes with a folder of other blobs in {Description}.", 409, "BlobNameConflict");
                }

                // Content first, then the ETag: a crash in between leaves an ETag that no writer holds, which fails
                // the next If-Match safely instead of letting a stale reader overwrite content it never saw.
                File.Move(temp, paths.Data, overwrite: true);
                await WriteMetaAsync(paths, etag, ct);
                return etag;
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private BlobPaths Resolve(string container, string name)
    {
        BlobNames.ValidateContainer(container);
        BlobNames.ValidateBlob(name);
        var relative = Path.Combine(name.Split('/'));
        var data = Path.GetFullPath(Path.Combine(Root, container, relative));
        // Validation already excludes '..' and rooted names; this guards against anything that slips through.
        if (!data.StartsWith(Path.Combine(Root, container) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob name '{name}' escapes the container folder.", nameof(name));
        }

        // Locks are named by a hash so that a blob's lock never collides with another blob's folder.
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(container + "/" + name)));
        return new BlobPaths(
            data,
            Path.Combine(_metaRoot, container, relative + ".etag"),
            Path.Combine(_lockRoot, key[..2], key + ".lock"));
    }

    private string NewTempPath()
    {
        Directory.CreateDirectory(_tempRoot);
        return Path.Combine(_tempRoot, Guid.NewGuid().ToString("N") + ".tmp");
    }

    private static FileStream CreateTemp(string path) =>
        new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);

    private static async Task<string?> ReadMetaAsync(BlobPaths paths, CancellationToken ct)
    {
        if (!File.Exists(paths.Data))
        {
            return null;
        }

        try
        {
            return (await File.ReadAllTextAsync(paths.Meta, ct)).Trim();
        }
        catch (FileNotFoundException)
        {
            // A file placed by hand (or a crash before the ETag was written): derive a stable ETag from its content.
            var hash = SHA256.HashData(await File.ReadAllBytesAsync(paths.Data, ct));
            return "\"0x" + Convert.ToHexString(hash, 0, 8) + "\"";
        }
        catch (DirectoryNotFoundException)
        {
            var hash = SHA256.HashData(await File.ReadAllBytesAsync(paths.Data, ct));
            return "\"0x" + Convert.ToHexString(hash, 0, 8) + "\"";
        }
    }

    private static async Task WriteMetaAsync(BlobPaths paths, string etag, CancellationToken ct)
    {
        var temp = paths.Meta + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllTextAsync(temp, etag, ct);
        File.Move(temp, paths.Meta, overwrite: true);
    }

    // Quoted like Azure's ETags so callers treat both stores alike; random, so every write gets a fresh one.
    private static string NewETag() => "\"0x" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "\"";

    private static async Task<BlobLock> AcquireLockAsync(string path, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        var delay = 1;
        while (true)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);

                // FileShare.None takes an exclusive OS lock (flock on Unix), which other processes honour too.
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                if (stream.Length == 0)
                {
                    return new BlobLock(path, stream);
                }

                // A tombstone: the holder that released this file also unlinked it, and we opened it just before. The
                // lock now lives in a fresh file at the same path, so try again.
                await stream.DisposeAsync();
                if (DateTime.UtcNow >= deadline)
                {
                    throw new BlobStoreException($"Timed out waiting for the lock on {path}.", 408, "LockTimeout");
                }

                await Task.Yield();
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay, ct);
                delay = Math.Min(delay * 2, 50);
            }
            catch (IOException ex)
            {
                throw new BlobStoreException($"Timed out waiting for the lock on {path}.", 408, "LockTimeout", ex);
            }
        }
    }

    /// <summary>
    /// A held lock file, deleted on release so that lock files do not pile up (one per blob ever touched). Deleting a
    /// lock file is only safe with a tombstone: before unlinking, the holder writes a byte into it, so a process that
    /// opened the old file just before the unlink and locks it afterwards sees the byte, lets go and opens the path
    /// again; it can never hold the old inode while a third process holds a new one.
    /// </summary>
    private sealed class BlobLock(string path, FileStream stream) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                stream.WriteByte(1);
                stream.Flush();
                try
                {
                    File.Delete(path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Not deleted: still at the path, so it must not stay a tombstone. Empty again, it is a plain lock file.
                    stream.SetLength(0);
                }
            }
            catch (IOException)
            {
                // Could not even write: the file keeps no tombstone and stays a plain lock file.
            }
            finally
            {
                stream.Dispose();
            }
        }
    }

    private readonly record struct BlobPaths(string Data, string Meta, string Lock);
}
