using KeyVaulting.Testing;
using System.Text;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A minimal store fake on 127.0.0.1 (<see cref="LocalServer"/>, plain HTTP): every request gets the same JSON
/// answer, encoded once. Enough for a cold start, where the store's own latency is not what is measured.
/// </summary>
internal static class FixedJsonServer
{
    /// <summary>Starts a server that answers every request with <paramref name="json"/>.</summary>
    /// <param name="json">The answer's body.</param>
    /// <param name="contentType">The answer's content type.</param>
    /// <returns>The started server.</returns>
    public static Task<LocalServer> StartAsync(string json, string contentType = "application/json")
    {
        var body = Encoding.UTF8.GetBytes(json);
        return LocalServer.StartAsync(context =>
        {
            context.Response.ContentType = contentType;
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body, 0, body.Length);
        });
    }
}
