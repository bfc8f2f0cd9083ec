using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>
/// Azure Blob Storage (or Azurite) through Azure.Storage.Blobs. One thread-safe <see cref="BlobServiceClient"/> per
/// store; conditional writes through <see cref="BlobRequestConditions"/>; SDK failures mapped to the store's exceptions
/// in <see cref="BlobErrors"/>. Options (service version, retries, timeouts) come from <see cref="BlobStoreClientOptions"/>.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private readonly BlobServiceClient _service;
    private readonly StorageTransferOptions _transfer;
    private readonly int _listPageSize;

    private AzureBlobStore(BlobServiceClient service, string authKind, BlobStoreClientOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockSize, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BlockSize, 100 * 1024 * 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ListPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UploadConcurrency, 1);
        _service = service;
        _transfer = new StorageTransferOptions
        {
            InitialTransferSize = options.BlockSize,
            MaximumTransferSize = options.BlockSize,
            MaximumConcurrency = options.UploadConcurrency,
        };
        _listPageSize = Math.Min(options.ListPageSize, 5000);
        // GetLeftPart drops a SAS query: the description is logged and must never carry a signature.
        Description = $"Azure Blob {service.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/')} ({authKind})";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The SDK client, for callers that need more than the store's operations (one per store, thread-safe).</summary>
    public BlobServiceClient ServiceClient => _service;

    /// <summary>
    /// Connects with a connection string: Shared Key (including <c>UseDevelopmentStorage=true</c>) or SAS. Throws
    /// <see cref="FormatException"/> for a malformed one, without echoing it (it may hold a key).
    /// </summary>
    public static AzureBlobStore FromConnectionString(string connectionString, BlobStoreClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new BlobStoreClientOptions();
        BlobServiceClient service;
        try
        {
            service = new BlobServiceClient(connectionString, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new FormatException(
                "The storage connection string is not valid: it needs AccountName with AccountKey (Base64) or SharedAccessSignature, "
                + "or UseDevelopmentStorage=true. In Azure use <name>__blobServiceUri with a managed identity instead.");
        }

        var sas = connectionString.Contains("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase);
        return new AzureBlobStore(service, sas ? "SAS" : "shared key", options);
    }

    /// <summary>Connects with a SAS URL such as <c>https://acct.blob.core.windows.net/?sv=...&amp;sig=...</c>.</summary>
    public static AzureBlobStore FromSasUri(Uri sasUri, BlobStoreClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sasUri);
        options ??= new BlobStoreClientOptions();
        return new AzureBlobStore(new BlobServiceClient(sasUri, options), "SAS", options);
    }

    /// <summary>Connects with a Microsoft Entra token (managed identity, DefaultAzureCredential); needs https.</summary>
    public static AzureBlobStore FromCredential(Uri blobServiceUri, TokenCredential credential, BlobStoreClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(blobServiceUri);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new BlobStoreClientOptions();
        return new AzureBlobStore(new BlobServiceClient(blobServiceUri, credential, options), "Microsoft Entra ID", options);
    }

    /// <inheritdoc />
    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default)
    {
        BlobNames.ValidateContainer(container);
        return GuardAsync("create container", container, async () =>
        {
            await _service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: ct);
            return true;
        }, ct);
    }

    /// <inheritdoc />
    public async Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default) =>
        (await GetIfChangedAsync(container, name, null, ct)).Download;

    /// <inheritdoc />
    public Task<BlobGetResult> GetIfChangedAsync(string container, string name, string? ifNoneMatchETag, CancellationToken ct = default)
    {
        var blob = Blob(container, name);
        return GuardAsync("get", Target(container, name), async () =>
        {
            var download = new BlobDownloadOptions();
            if (ifNoneMatchETag is not null)
            {
                download.Conditions = new BlobRequestConditions { IfNoneMatch = new ETag(ifNoneMatchETag) };
            }

            try
            {
                var response = await blob.DownloadContentAsync(download, ct);
                if (response.GetRawResponse().Status == 304)
                {
                    // The SDK answers a met If-None-Match with an empty response rather than an exception.
                    return BlobGetResult.NotModified;
                }

                var result = response.Value;
                return BlobGetResult.Ok(new BlobDownload(result.Content.ToMemory(), Text(result.Details.ETag), result.Details.LastModified));
            }
            catch (RequestFailedException ex) when (ex.Status == 304)
            {
                return BlobGetResult.NotModified;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // A missing blob or container: both read as "not there", as on the file store.
                return BlobGetResult.NotFound;
            }
        }, ct);
    }

    /// <inheritdoc />
    public Task<string> PutAsync(
        string container,
        string name,
        ReadOnlyMemory<byte> content,
        BlobWriteCondition condition = default,
        string contentType = "application/octet-stream",
        CancellationToken ct = default)
    {
        var blob = Blob(container, name);
        return GuardAsync("put", Target(container, name), async () =>
        {
            var upload = new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Conditions = Conditions(condition),
                // One Put Blob up to 256 MiB, so the condition is checked and the write made in one atomic request.
                TransferOptions = new StorageTransferOptions { InitialTransferSize = 256 * 1024 * 1024, MaximumTransferSize = 100 * 1024 * 1024 },
            };
            var info = (await blob.UploadAsync(new BinaryData(content), upload, ct)).Value;
            return Text(info.ETag);
        }, ct);
    }

    /// <inheritdoc />
    public Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = Blob(container, name);
        return GuardAsync("upload", Target(container, name), async () =>
        {
            // The SDK streams: a stream longer than one block goes as Put Block (in parallel) + Put Block List, holding
            // at most UploadConcurrency blocks in memory, whatever the artifact's size.
            var upload = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType }, TransferOptions = _transfer };
            var info = (await blob.UploadAsync(content, upload, ct)).Value;
            return Text(info.ETag);
        }, ct);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItemInfo> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        BlobNames.ValidateContainer(container);
        BlobNames.ValidatePrefix(prefix);
        var options = new GetBlobsOptions { Prefix = string.IsNullOrEmpty(prefix) ? null : prefix };
        var pages = _service.GetBlobContainerClient(container).GetBlobsAsync(options, ct).AsPages(pageSizeHint: _listPageSize);
        await using var enumerator = pages.GetAsyncEnumerator(ct);
        while (true)
        {
            Page<BlobItem> page;
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }

                page = enumerator.Current;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Listing a container that was never created is simply empty, as on the file store.
                yield break;
            }
            catch (Exception ex) when (BlobErrors.IsStoreFailure(ex, ct))
            {
                throw BlobErrors.Map(ex, "list", container, Description);
            }

            foreach (var item in page.Values)
            {
                var properties = item.Properties;
                yield return new BlobItemInfo(
                    item.Name, properties.ContentLength ?? 0, properties.ETag is { } etag ? Text(etag) : string.Empty, properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default)
    {
        var blob = Blob(container, name);
        return GuardAsync("delete", Target(container, name), async () => (await blob.DeleteIfExistsAsync(cancellationToken: ct)).Value, ct);
    }

    private BlobClient Blob(string container, string name)
    {
        BlobNames.ValidateContainer(container);
        BlobNames.ValidateBlob(name);
        return _service.GetBlobContainerClient(container).GetBlobClient(name);
    }

    private async Task<T> GuardAsync<T>(string operation, string target, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (BlobErrors.IsStoreFailure(ex, ct))
        {
            throw BlobErrors.Map(ex, operation, target, Description);
        }
    }

    private static BlobRequestConditions? Conditions(BlobWriteCondition condition) =>
        condition.IfNotExistsRequired ? new BlobRequestConditions { IfNoneMatch = ETag.All }
        : condition.IfMatchETag is { } etag ? new BlobRequestConditions { IfMatch = new ETag(etag) }
        : null;

    // Reads return the ETag header (quoted), listings the bare value: one form, quoted, so they compare equal and can be
    // handed back as If-Match / If-None-Match unchanged.
    private static string Text(ETag etag)
    {
        var value = etag.ToString();
        return value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal) ? value : $"\"{value}\"";
    }

    private static string Target(string container, string name) => $"{container}/{name}";
}
