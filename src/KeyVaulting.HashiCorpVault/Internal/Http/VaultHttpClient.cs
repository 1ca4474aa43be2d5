using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KeyVaulting.HashiCorpVault.Internal.Http;

/// <summary>
/// The named <see cref="IHttpClientFactory"/> client of the source (<see cref="HashiCorpVaultKeySourceOptions.HttpClientName"/>),
/// without the factory's default request logging: that logging masks header values in the message text only, while
/// its structured state carries them raw, so <c>X-Vault-Token</c> would reach any structured log sink at Trace level.
/// The source logs what matters itself. Redirects are not followed: HttpClient would carry <c>X-Vault-Token</c> to
/// the redirect's target (it drops only <c>Authorization</c>); the source reports a redirect as an error instead.
/// </summary>
internal static class VaultHttpClient
{
    /// <summary>Registers the client, once, and marks it as configured by this package; handlers added to the same name still apply.</summary>
    public static void Register(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker)))
        {
            return;
        }

        services.TryAddSingleton<Marker>();
        services.AddHttpClient(HashiCorpVaultKeySourceOptions.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static (handler, _) => Redirects.Disable(handler));
    }

    /// <summary>
    /// Returns the factory when this package registered the named client (so it logs no headers and follows no
    /// redirects), else <see langword="null"/>: a client of that name set up by someone else would log the token.
    /// </summary>
    public static IHttpClientFactory? Factory(IServiceProvider services)
        => services.GetService<Marker>() is not null ? services.GetService<IHttpClientFactory>() : null;


    /// <summary>Present in the container when <see cref="Register"/> ran.</summary>
    internal sealed class Marker;
}
