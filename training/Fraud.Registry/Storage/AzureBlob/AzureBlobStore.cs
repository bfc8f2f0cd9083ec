using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>
/// Azure Blob Storage (or Azurite) through the Blob REST API on Azure.Core's <see cref="HttpPipeline"/>, which brings
/// retries with exponential back-off, timeouts and redacted request logging. Authorized with Shared Key, a SAS or a
/// <see cref="TokenCredential"/>. Only the operations the product needs are implemented.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>The Blob REST API version every request asks for.</summary>
    public const string ApiVersion = "2023-11-03";

    private const string StorageScope = "https://storage.azure.com/.default";

    private readonly Uri _endpoint;
    private readonly HttpPipeline _pipeline;
    private readonly string? _sasQuery;
    private readonly int _blockSize;
    private readonly int _listPageSize;

    private AzureBlobStore(Uri endpoint, HttpPipeline pipeline, string authKind, string? sasQuery, BlobStoreClientOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockSize, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BlockSize, 100 * 1024 * 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ListPageSize, 1);
        _endpoint = StorageConnectionString.TrimSlash(endpoint);
        _pipeline = pipeline;
        _sasQuery = string.IsNullOrEmpty(sasQuery) ? null : sasQuery.TrimStart('?');
        _blockSize = options.BlockSize;
        _listPageSize = Math.Min(options.ListPageSize, 5000);
        Description = $"Azure Blob {_endpoint} ({authKind})";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>Connects with a connection string: Shared Key (including <c>UseDevelopmentStorage=true</c>) or SAS.</summary>
    public static AzureBlobStore FromConnectionString(string connectionString, BlobStoreClientOptions? options = null)
    {
        var parsed = StorageConnectionString.Parse(connectionString);
        options ??= new BlobStoreClientOptions();
        if (parsed.SharedAccessSignature is not null)
        {
            return new AzureBlobStore(parsed.BlobEndpoint, HttpPipelineBuilder.Build(options), "SAS", parsed.SharedAccessSignature, options);
        }

        var pipeline = HttpPipelineBuilder.Build(options, new SharedKeyPolicy(parsed.AccountName!, parsed.AccountKey!));
        return new AzureBlobStore(parsed.BlobEndpoint, pipeline, "shared key", null, options);
    }

    /// <summary>Connects with a SAS URL such as <c>https://acct.blob.core.windows.net/?sv=...&amp;sig=...</c>.</summary>
    public static AzureBlobStore FromSasUri(Uri sasUri, BlobStoreClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sasUri);
        options ??= new BlobStoreClientOptions();
        return new AzureBlobStore(sasUri, HttpPipelineBuilder.Build(options), "SAS", sasUri.Query, options);
    }

    /// <summary>Connects with a Microsoft Entra token (managed identity, DefaultAzureCredential); needs https.</summary>
    public static AzureBlobStore FromCredential(Uri blobServiceUri, TokenCredential credential, BlobStoreClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(blobServiceUri);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new BlobStoreClientOptions();
        var pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, StorageScope));
        return new AzureBlobStore(blobServiceUri, pipeline, "Microsoft Entra ID", null, options);
    }

    /// <inheritdoc />
    public async Task CreateContainerIfNotExistsAsync(string container, CancellationToken ct = default)
    {
        BlobNames.ValidateContainer(container);
        using var message = await SendAsync(RequestMethod.Put, container, null, "restype=container", null, null, "create container", container, ct);
        var response = message.Response;
        if (response.Status == 201 || (response.Status == 409 && BlobErrors.ErrorCode(response) == "ContainerAlreadyExists"))
        {
            return;
        }

        throw BlobErrors.ToException(response, "create container", container, Description);
    }

    /// <inheritdoc />
    public async Task<BlobDownload?> GetAsync(string container, string name, CancellationToken ct = default) =>
        (await GetIfChangedAsync(container, name, null, ct)).Download;

    /// <inheritdoc />
    public async Task<BlobGetResult> GetIfChangedAsync(string container, string name, string? ifNoneMatchETag, CancellationToken ct = default)
    {
        Validate(container, name);
        using var message = await SendAsync(
            RequestMethod.Get,
            container,
            name,
            null,
            r =>
            {
                if (ifNoneMatchETag is not null)
                {
                    r.Headers.Add("If-None-Match", ifNoneMatchETag);
                }
            },
            null,
            "get",
            $"{container}/{name}",
            ct);
        var response = message.Response;
        switch (response.Status)
        {
            case 200:
                var content = response.Content.ToArray();
                return BlobGetResult.Ok(new BlobDownload(content, RequireETag(response), LastModified(response)));
            case 304:
                return BlobGetResult.NotModified;
            case 404:
                return BlobGetResult.NotFound;
            default:
                throw BlobErrors.ToException(response, "get", $"{container}/{name}", Description);
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
        Validate(container, name);
        using var message = await SendAsync(
            RequestMethod.Put,
            container,
            name,
            null,
            r =>
            {
                r.Headers.Add("x-ms-blob-type", "BlockBlob");
                r.Headers.Add("x-ms-blob-content-type", contentType);
                AddCondition(r, condition);
            },
            RequestContent.Create(content),
            "put",
            $"{container}/{name}",
            ct);
        return message.Response.Status == 201
            ? RequireETag(message.Response)
            : throw BlobErrors.ToException(message.Response, "put", $"{container}/{name}", Description);
    }

    /// <inheritdoc />
    public async Task<string> UploadAsync(string container, string name, Stream content, string contentType, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        Validate(container, name);
        var buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
        try
        {
            var read = await ReadBlockAsync(content, buffer, ct);
            if (read < _blockSize)
            {
                return await PutAsync(container, name, buffer.AsMemory(0, read), BlobWriteCondition.None, contentType, ct);
            }

            var ids = new List<string>();
            while (read > 0)
            {
                // Block ids must all have the same length within a blob.
                var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"block-{ids.Count.ToString("D6", CultureInfo.InvariantCulture)}"));
                await PutBlockAsync(container, name, id, buffer.AsMemory(0, read), ct);
                ids.Add(id);
                read = await ReadBlockAsync(content, buffer, ct);
            }

            return await PutBlockListAsync(container, name, ids, contentType, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobItemInfo> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        BlobNames.ValidateContainer(container);
        BlobNames.ValidatePrefix(prefix);
        string? marker = null;
        do
        {
            var query = new StringBuilder("restype=container&comp=list&maxresults=").Append(_listPageSize.ToString(CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(prefix))
            {
                query.Append("&prefix=").Append(Uri.EscapeDataString(prefix));
            }

            if (marker is not null)
            {
                query.Append("&marker=").Append(Uri.EscapeDataString(marker));
            }

            BlobListPage page;
            using (var message = await SendAsync(RequestMethod.Get, container, null, query.ToString(), null, null, "list", container, ct))
            {
                var response = message.Response;
                if (response.Status == 404)
                {
                    // Listing a container that was never created is simply empty, as on the file store.
                    yield break;
                }

                if (response.Status != 200)
                {
                    throw BlobErrors.ToException(response, "list", container, Description);
                }

                page = BlobListParser.Parse(response.Content.ToStream());
            }

            foreach (var item in page.Items)
            {
                yield return item;
            }

            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string container, string name, CancellationToken ct = default)
    {
        Validate(container, name);
        using var message = await SendAsync(RequestMethod.Delete, container, name, null, null, null, "delete", $"{container}/{name}", ct);
        return message.Response.Status switch
        {
            202 => true,
            404 => false,
            _ => throw BlobErrors.ToException(message.Response, "delete", $"{container}/{name}", Description),
        };
    }

    private async Task PutBlockAsync(string container, string name, string blockId, ReadOnlyMemory<byte> block, CancellationToken ct)
    {
        using var message = await SendAsync(
            RequestMethod.Put, container, name, "comp=block&blockid=" + Uri.EscapeDataString(blockId), null, RequestContent.Create(block), "put block", $"{container}/{name}", ct);
        if (message.Response.Status != 201)
        {
            throw BlobErrors.ToException(message.Response, "put block", $"{container}/{name}", Description);
        }
    }

    private async Task<string> PutBlockListAsync(string container, string name, IReadOnlyList<string> ids, string contentType, CancellationToken ct)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in ids)
        {
            xml.Append("<Latest>").Append(id).Append("</Latest>");
        }

        xml.Append("</BlockList>");
        using var message = await SendAsync(
            RequestMethod.Put,
            container,
            name,
            "comp=blocklist",
            r => r.Headers.Add("x-ms-blob-content-type", contentType),
            RequestContent.Create(Encoding.UTF8.GetBytes(xml.ToString())),
            "put block list",
            $"{container}/{name}",
            ct);
        return message.Response.Status == 201
            ? RequireETag(message.Response)
            : throw BlobErrors.ToException(message.Response, "put block list", $"{container}/{name}", Description);
    }

    private async Task<HttpMessage> SendAsync(
        RequestMethod method,
        string container,
        string? name,
        string? query,
        Action<Request>? configure,
        RequestContent? content,
        string operation,
        string target,
        CancellationToken ct)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(BuildUri(container, name, query));
        request.Headers.Add("x-ms-version", ApiVersion);
        configure?.Invoke(request);
        request.Content = content;
        try
        {
            await _pipeline.SendAsync(message, ct);
            return message;
        }
        catch (Exception ex) when (BlobErrors.IsTransport(ex) || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            message.Dispose();
            throw BlobErrors.FromTransport(ex, operation, target, Description);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private Uri BuildUri(string container, string? name, string? query)
    {
        var path = new StringBuilder(_endpoint.AbsolutePath.TrimEnd('/')).Append('/').Append(container);
        if (name is not null)
        {
            foreach (var segment in name.Split('/'))
            {
                path.Append('/').Append(Uri.EscapeDataString(segment));
            }
        }

        var fullQuery = (query, _sasQuery) switch
        {
            (null, null) => string.Empty,
            (null, { } sas) => sas,
            ({ } q, null) => q,
            ({ } q, { } sas) => q + "&" + sas,
        };
        var builder = new UriBuilder(_endpoint) { Path = path.ToString(), Query = fullQuery };
        return builder.Uri;
    }

    private static void AddCondition(Request request, BlobWriteCondition condition)
    {
        if (condition.IfNotExistsRequired)
        {
            request.Headers.Add("If-None-Match", "*");
        }
        else if (condition.IfMatchETag is { } etag)
        {
            request.Headers.Add("If-Match", etag);
        }
    }

    // The pooled buffer may be larger than a block: read exactly one block's worth, or less at the end of the stream.
    private async Task<int> ReadBlockAsync(Stream stream, byte[] buffer, CancellationToken ct) =>
        await stream.ReadAtLeastAsync(buffer.AsMemory(0, _blockSize), _blockSize, throwOnEndOfStream: false, ct);

    private string RequireETag(Response response) =>
        response.Headers.TryGetValue("ETag", out var etag) && !string.IsNullOrEmpty(etag)
            ? etag
            : throw new BlobStoreException($"{Description} answered without an ETag.", response.Status, null);

    private static DateTimeOffset LastModified(Response response) =>
        response.Headers.TryGetValue("Last-Modified", out var value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : DateTimeOffset.UtcNow;

    private static void Validate(string container, string name)
    {
        BlobNames.ValidateContainer(container);
        BlobNames.ValidateBlob(name);
    }
}
