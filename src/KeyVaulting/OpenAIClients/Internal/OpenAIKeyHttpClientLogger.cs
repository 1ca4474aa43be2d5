using System.Net.Http;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The request logging of an <c>AddOpenAIKeyHandler</c> client, in place of the factory's default one: that one logs
/// header values at Trace level, masked in the message text but raw in the structured state, and so the
/// <c>Authorization: Bearer</c> key. This one logs each request's method, URI (without user information, query or
/// fragment), status code and duration, at Debug level, and never a header or a body.
/// </summary>
internal sealed class OpenAIKeyHttpClientLogger(ILogger logger, string clientName) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
        => OpenAILog.HttpRequestCompleted(logger, clientName, request.Method.Method, Describe(request.RequestUri), (int)response.StatusCode, Milliseconds(elapsed));

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed)
        => OpenAILog.HttpRequestFailed(logger, clientName, request.Method.Method, Describe(request.RequestUri), Milliseconds(elapsed), exception.GetType().Name);

    /// <summary>Shows a request URI without user information, query or fragment.</summary>
    internal static string Describe(Uri? uri)
    {
        if (uri is null)
        {
            return "(no URI)";
        }

        if (uri.IsAbsoluteUri)
        {
            return uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        }

        var text = uri.OriginalString;
        var end = text.IndexOfAny(['?', '#']);
        return end < 0 ? text : text[..end];
    }

    private static double Milliseconds(TimeSpan elapsed) => Math.Round(elapsed.TotalMilliseconds, 1);
}
