using System.Net;
using System.Net.Http.Headers;

namespace KeyVaulting.Shared;

/// <summary>
/// A store's answer, read whole (at most <see cref="StoreHttpClient.MaxResponseBytes"/>): status, headers, content
/// type, body and the wait it asked for. The body may hold a secret: disposing clears it.
/// </summary>
internal sealed class StoreHttpResponse(HttpStatusCode statusCode, HttpResponseHeaders headers, string? mediaType, byte[] body, TimeSpan? retryAfter) : IDisposable
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public int Status => (int)StatusCode;

    public bool IsSuccess => Status is >= 200 and < 300;

    public HttpResponseHeaders Headers { get; } = headers;

    /// <summary>Gets the media type of the body, for example <c>application/json</c>; null when not given.</summary>
    public string? MediaType { get; } = mediaType;

    public byte[] Body { get; } = body;

    /// <summary>Gets the wait the store asked for (<c>Retry-After</c>), on the application's clock.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Returns the first value of a header, or <see langword="null"/>.</summary>
    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => Array.Clear(Body);
}
