using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace FraudFunctions.Hosting;

/// <summary>
/// <c>GET /</c> serves two callers: the Functions host's readiness ping (any non-HTML request gets a plain 200) and a
/// browser (the test page). The page's files are embedded in the assembly, so the same binary serves them whether it
/// runs from the build output, the publish folder under the host, or a test server.
/// </summary>
public static class TestPage
{
    public static IFileProvider Files { get; } = new EmbeddedFileProvider(typeof(TestPage).Assembly, "FraudFunctions.wwwroot");

    public static IEndpointRouteBuilder MapTestPage(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", Root).ExcludeFromDescription();
        return app;
    }

    public static IApplicationBuilder UseTestPageFiles(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions { FileProvider = Files });

    private static IResult Root(HttpRequest request)
    {
        var wantsHtml = request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
        if (!wantsHtml)
        {
            return TypedResults.Text("OK", "text/plain");
        }

        var page = Files.GetFileInfo("index.html");
        request.HttpContext.Response.Headers[HeaderNames.CacheControl] = "no-cache";
        return TypedResults.Stream(page.CreateReadStream(), "text/html; charset=utf-8");
    }
}
