using System.Net.Http.Headers;
using System.Text;

namespace FraudFunctions.Tests;

/// <summary>Basket JSON as partners send it.</summary>
internal static class Samples
{
    public static string Basket(string id, int items = 2, string price = "1299.0", string quantity = "1")
    {
        var lines = Enumerable.Range(0, items).Select(i =>
            $$"""{"item":"Computers","cashPrice":{{price}},"make":"Apple","model":"MacBook Pro {{i}}","goodsCode":"2390015{{i}}","quantity":{{quantity}}}""");
        return $$"""{"id":"{{id}}","items":[{{string.Join(',', lines)}}]}""";
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
