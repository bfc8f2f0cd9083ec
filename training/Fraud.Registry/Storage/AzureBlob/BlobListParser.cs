using System.Globalization;
using System.Xml;

namespace Fraud.Registry.Storage.AzureBlob;

/// <summary>One page of a List Blobs answer.</summary>
internal sealed record BlobListPage(IReadOnlyList<BlobItemInfo> Items, string? NextMarker);

/// <summary>
/// Reads the List Blobs XML (<c>EnumerationResults/Blobs/Blob</c> with <c>Name</c> and <c>Properties</c>, then
/// <c>NextMarker</c>) with a forward-only XmlReader, so a page of thousands of blobs is never loaded as a DOM.
/// </summary>
internal static class BlobListParser
{
    public static BlobListPage Parse(Stream xml)
    {
        var items = new List<BlobItemInfo>();
        string? nextMarker = null;
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true, IgnoreComments = true };
        using var reader = XmlReader.Create(xml, settings);
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (reader.Name == "Blob" && reader.Depth == 2)
            {
                items.Add(ReadBlob(reader.ReadSubtree()));
            }
            else if (reader.Name == "NextMarker" && reader.Depth == 1)
            {
                nextMarker = reader.IsEmptyElement ? null : reader.ReadElementContentAsString();
            }
        }

        return new BlobListPage(items, string.IsNullOrEmpty(nextMarker) ? null : nextMarker);
    }

    private static BlobItemInfo ReadBlob(XmlReader blob)
    {
        using (blob)
        {
            string? name = null;
            string? etag = null;
            long size = 0;
            var modified = DateTimeOffset.MinValue;
            blob.Read();
            while (!blob.EOF)
            {
                if (blob.NodeType != XmlNodeType.Element || blob.IsEmptyElement)
                {
                    blob.Read();
                    continue;
                }

                switch (blob.Name)
                {
                    case "Name":
                        name = blob.ReadElementContentAsString();
                        break;
                    case "Etag":
                        etag = blob.ReadElementContentAsString();
                        break;
                    case "Content-Length":
                        size = long.Parse(blob.ReadElementContentAsString(), CultureInfo.InvariantCulture);
                        break;
                    case "Last-Modified":
                        modified = DateTimeOffset.Parse(blob.ReadElementContentAsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                        break;
                    default:
                        blob.Read();
                        break;
                }
            }

            if (name is null || etag is null)
            {
                throw new BlobStoreException("The List Blobs answer has a blob without Name or Etag.", 200, "InvalidXml");
            }

            return new BlobItemInfo(name, size, QuoteETag(etag), modified);
        }
    }

    // The listing writes ETags bare (0x8D...) while headers quote them ("0x8D..."); callers compare them, so quote both.
    private static string QuoteETag(string etag) => etag.StartsWith('"') ? etag : "\"" + etag + "\"";
}
