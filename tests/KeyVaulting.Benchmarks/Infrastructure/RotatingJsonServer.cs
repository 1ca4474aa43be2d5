using KeyVaulting.Testing;
using System.Text;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A store fake on 127.0.0.1 (<see cref="LocalServer"/>, plain HTTP) that answers every request with the store's JSON
/// for the current version of a <see cref="RotatingKey"/>.
/// </summary>
internal static class RotatingJsonServer
{
    /// <summary>Starts a server that serves <paramref name="key"/>'s current version.</summary>
    /// <param name="key">The secret, rotated by the benchmark.</param>
    /// <param name="answer">Builds the JSON body of one version from its key and version number.</param>
    /// <param name="contentType">The answer's content type.</param>
    /// <returns>The started server.</returns>
    public static Task<LocalServer> StartAsync(RotatingKey key, Func<string, int, string> answer, string contentType = "application/json")
    {
        var body = new VersionedBody(key, version => Encoding.UTF8.GetBytes(answer(version.Value, version.Number)));
        return LocalServer.StartAsync(context =>
        {
            var current = body.Current;
            context.Response.ContentType = contentType;
            context.Response.ContentLength = current.Length;
            return context.Response.Body.WriteAsync(current, 0, current.Length);
        });
    }
}
