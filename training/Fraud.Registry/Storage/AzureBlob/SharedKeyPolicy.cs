using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>
/// Signs every try of a request with the account key, following "Authorize with Shared Key" (Blob service, version
/// 2009-09-19 and later): HMAC-SHA256 over the verb, the standard headers, the canonicalized x-ms-* headers and the
/// canonicalized resource. Runs per retry because x-ms-date must be fresh on each attempt.
/// </summary>
internal sealed class SharedKeyPolicy : HttpPipelineSynchronousPolicy
{
    private readonly string _accountName;
    private readonly byte[] _key;

    public SharedKeyPolicy(string accountName, string base64Key)
    {
        _accountName = accountName;
        _key = Convert.FromBase64String(base64Key);
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(StringToSign(request))));
        request.Headers.SetValue("Authorization", $"SharedKey {_accountName}:{signature}");
    }

    internal string StringToSign(Request request)
    {
        long length = 0;
        var hasLength = request.Content is not null && request.Content.TryComputeLength(out length);
        var builder = new StringBuilder(256);
        builder.Append(request.Method.Method).Append('\n');
        AppendHeader(builder, request, "Content-Encoding");
        AppendHeader(builder, request, "Content-Language");
        // Since version 2015-02-21 a zero Content-Length is signed as the empty string.
        builder.Append(hasLength && length > 0 ? length.ToString(CultureInfo.InvariantCulture) : string.Empty).Append('\n');
        AppendHeader(builder, request, "Content-MD5");
        AppendHeader(builder, request, "Content-Type");
        builder.Append('\n'); // Date: empty because x-ms-date is sent
        AppendHeader(builder, request, "If-Modified-Since");
        AppendHeader(builder, request, "If-Match");
        AppendHeader(builder, request, "If-None-Match");
        AppendHeader(builder, request, "If-Unmodified-Since");
        AppendHeader(builder, request, "Range");

        var msHeaders = new List<(string Name, string Value)>();
        foreach (var header in request.Headers)
        {
            if (header.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                msHeaders.Add((header.Name.ToLowerInvariant(), header.Value.Trim()));
            }
        }

        msHeaders.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var (name, value) in msHeaders)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        var uri = request.Uri.ToUri();
        // Path-style endpoints (Azurite) keep the account in the path, so it appears twice: /acct/acct/container/blob.
        builder.Append('/').Append(_accountName).Append(uri.AbsolutePath);
        var query = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = WebUtility.UrlDecode(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? string.Empty : WebUtility.UrlDecode(pair[(eq + 1)..]);
            if (!query.TryGetValue(name, out var values))
            {
                query[name] = values = [];
            }

            values.Add(value);
        }

        foreach (var (name, values) in query)
        {
            values.Sort(StringComparer.Ordinal);
            builder.Append('\n').Append(name).Append(':').AppendJoin(',', values);
        }

        return builder.ToString();
    }

    private static void AppendHeader(StringBuilder builder, Request request, string name)
    {
        if (request.Headers.TryGetValue(name, out var value))
        {
            builder.Append(value);
        }

        builder.Append('\n');
    }
}
