using Microsoft.AspNetCore.Connections;

namespace FraudFunctions.Http;

/// <summary>
/// Turns request-body failures that are the client's doing into client errors: broken chunked framing or a body
/// shorter than its Content-Length is a 400, a body that stalls below Kestrel's minimum data rate is a 408, and a
/// client that went away gets nothing (there is no one to answer). Each is one log line at Information, never the
/// exception handler's multi-line "unhandled exception" at Error, so it neither fills the logs nor counts as a server
/// failure. It sits inside <c>UseExceptionHandler</c>, so every other exception still reaches it.
/// </summary>
public sealed partial class ClientErrors(RequestDelegate next, ILogger<ClientErrors> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own status: 400 for framing, 408 for a stalled body, 413 over the size limit.
            var path = OneLine(context.Request.Path.Value ?? "/");
            var reason = OneLine(ex.Message);
            LogBadRequest(logger, context.Request.Method, path, ex.StatusCode, reason);
            await AnswerAsync(context, ex.StatusCode, ex.StatusCode == StatusCodes.Status408RequestTimeout
                ? "The request body arrived too slowly and reading it timed out."
                : $"The request could not be read: {OneLine(ex.Message)}");
        }
        catch (Exception ex) when (ClientWentAway(context, ex))
        {
            var path = OneLine(context.Request.Path.Value ?? "/");
            var error = ex.GetType().Name;
            LogClientGone(logger, context.Request.Method, path, error);
        }
    }

    private static bool ClientWentAway(HttpContext context, Exception ex) =>
        context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or ConnectionResetException or ConnectionAbortedException or IOException;

    private static async Task AnswerAsync(HttpContext context, int status, string detail)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;

        // The rest of the body is unread and its framing is broken: the connection cannot carry another request.
        context.Response.Headers.Connection = "close";
        var problems = context.RequestServices.GetService<IProblemDetailsService>();
        if (problems is null || !await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = status == StatusCodes.Status408RequestTimeout ? "Request timeout." : "Bad request.", Detail = detail },
        }))
        {
            await context.Response.WriteAsync(detail, context.RequestAborted);
        }
    }

    private static string OneLine(string text) => Protocol.LogText.Escape(text);

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Client error {Method} {Path}: {Status} {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Client went away during {Method} {Path} ({Error})")]
    private static partial void LogClientGone(ILogger logger, string method, string path, string error);
}

/// <summary>Registration of <see cref="ClientErrors"/>.</summary>
public static class ClientErrorsExtensions
{
    public static IApplicationBuilder UseClientErrors(this IApplicationBuilder app) => app.UseMiddleware<ClientErrors>();
}
