using KeyVaulting.DependencyInjection.Internal;
using KeyVaulting.Health;
using KeyVaulting.Provider;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the OpenAI key provider health check to an <see cref="IHealthChecksBuilder"/>.</summary>
public static class OpenAIKeyProviderHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check for an OpenAI key provider: Healthy with a fresh key, Degraded while serving the last known
    /// good key after failed refreshes, Unhealthy with no key or one older than <c>MaxStaleness</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="providerName">The provider's name; <see langword="null"/> or empty for the default provider.</param>
    /// <param name="name">The check's name. Default: <c>openai-key</c>, or <c>openai-key:{providerName}</c>.</param>
    /// <param name="failureStatus">The status reported when unhealthy. Default: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The health checks builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="providerName"/> or <paramref name="name"/> looks like a key rather than a name (the message does not repeat it), or <paramref name="providerName"/> is <c>default</c>.</exception>
    public static IHealthChecksBuilder AddOpenAIKeyProvider(
        this IHealthChecksBuilder builder,
        string? providerName = null,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        Throw.IfNull(builder);
        var key = providerName ?? string.Empty;
        if (key.Length > 0)
        {
            OpenAIKeyProviderServiceCollectionExtensions.CheckProviderName(key, nameof(providerName));
        }

        SecretShapedNames.ThrowIfSecretShaped(name, nameof(name), "The health check name", "Name the check after what it watches, for example 'openai-key'.");
        return builder.Add(new HealthCheckRegistration(
            name ?? (key.Length == 0 ? "openai-key" : $"openai-key:{key}"),
            sp => new OpenAIKeyProviderHealthCheck(sp.GetRequiredKeyedService<OpenAIKeyProvider>(key)),
            failureStatus,
            tags));
    }
}
