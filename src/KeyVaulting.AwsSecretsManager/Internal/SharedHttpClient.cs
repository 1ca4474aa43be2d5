namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// The HTTP client used when the application has no <see cref="IHttpClientFactory"/> (for example when configuration
/// alone selects the source): one per process, with pooled connections recycled so DNS changes are seen, and no
/// redirects followed (HttpClient would carry the session token header to the redirect's target).
/// </summary>
internal static class SharedHttpClient
{
    public static HttpClient Instance { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false });
}
