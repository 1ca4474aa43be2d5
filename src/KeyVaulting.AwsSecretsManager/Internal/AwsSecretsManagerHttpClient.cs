using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// The named <see cref="IHttpClientFactory"/> client of the source, without the factory's default request logging:
/// that logging redacts header values in the message only, and its structured state carries them raw, so the
/// session token and a replayable signature would reach any structured log sink at Trace level. The source logs
/// what matters itself (endpoint, status, AWS error code and request id). Redirects are not followed: HttpClient
/// would carry the session token header to the redirect's target, and Secrets Manager never redirects.
/// </summary>
internal static class AwsSecretsManagerHttpClient
{
    public const string Name = "KeyVaulting.AwsSecretsManager";

    /// <summary>Registers the client, once, and marks it as configured by this package.</summary>
    public static void Register(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker)))
        {
            return;
        }

        services.TryAddSingleton<Marker>();
        services.AddHttpClient(Name)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static (handler, _) => Redirects.Disable(handler));
    }

    /// <summary>
    /// The factory's client when this package registered it (so it does not log headers), else the shared client: a
    /// client registered under the same name by someone else would log the session token.
    /// </summary>
    public static Func<HttpClient> Resolve(IServiceProvider services)
    {
        var clients = services.GetService<IHttpClientFactory>();
        return clients is not null && services.GetService<Marker>() is not null
            ? () => clients.CreateClient(Name)
            : static () => SharedHttpClient.Instance;
    }


    /// <summary>Present in the container when <see cref="Register"/> ran.</summary>
    internal sealed class Marker;
}
