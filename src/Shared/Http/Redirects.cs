namespace KeyVaulting.Shared;

/// <summary>
/// Turns off automatic redirects on a primary handler. HttpClient drops <c>Authorization</c> on a redirect but
/// forwards other headers, so a store's token header (<c>X-Vault-Token</c>, <c>X-Amz-Security-Token</c>) would reach
/// the redirect's target. Compiled into every package from src/Shared.
/// </summary>
internal static class Redirects
{
    public static void Disable(HttpMessageHandler handler)
    {
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
        }
    }
}
