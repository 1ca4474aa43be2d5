using Microsoft.Extensions.Http;

namespace KeyVaulting.Shared;

/// <summary>
/// Turns automatic redirects off on the primary handler of every store client registered with
/// <see cref="StoreHttpClient.Register"/>, after every other configuration of that client has run: the app's
/// <c>ConfigurePrimaryHttpMessageHandler(() =&gt; new HttpClientHandler { Proxy = … })</c> after <c>Add…</c> included.
/// HttpClient drops only <c>Authorization</c> on a redirect, so a store's token header (<c>X-Vault-Token</c>,
/// <c>X-Amz-Security-Token</c>) would reach the redirect's target. A primary handler that is neither a
/// <see cref="SocketsHttpHandler"/> nor an <see cref="HttpClientHandler"/> cannot be checked, so the client is refused
/// (fail closed) with a message that says why.
/// </summary>
internal sealed class StoreHttpClientFilter(IEnumerable<StoreHttpClientRegistration> registrations) : IHttpMessageHandlerBuilderFilter
{
    private readonly HashSet<string> _names = registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        // Every Configure and PostConfigure of the client runs inside next(): what the handler is now is final.
        next(builder);
        if (builder.Name is { } name && _names.Contains(name))
        {
            DisableRedirects(name, builder.PrimaryHandler);
        }
    };

    internal static void DisableRedirects(string name, HttpMessageHandler handler)
    {
        try
        {
            switch (handler)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    return;
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    return;
                case SocketsHttpHandler or HttpClientHandler:
                    return;
            }
        }
        catch (InvalidOperationException)
        {
            // The handler is shared and has already sent requests: it cannot be changed, and it follows redirects.
        }

        throw new InvalidOperationException(
            $"The HttpClient '{name}' has a primary handler ({handler.GetType().Name}) on which KeyVaulting cannot turn off redirects, " +
            "and a redirect would carry the store's credentials to another address. Configure it with a new SocketsHttpHandler or " +
            $"HttpClientHandler (a proxy is set there): services.AddHttpClient(\"{name}\").ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler {{ Proxy = … }}).");
    }
}

/// <summary>Names a client registered with <see cref="StoreHttpClient.Register"/>; one instance per name in the container.</summary>
internal sealed record StoreHttpClientRegistration(string Name);
