using KeyVaulting;
using KeyVaulting.OpenAIClients.Internal;
using KeyVaulting.Sources.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using OpenAI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the official OpenAI client (<c>OpenAIClient</c>, <c>ChatClient</c>, <c>EmbeddingClient</c>) and its
/// Microsoft.Extensions.AI adapters (<see cref="IChatClient"/>, <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>)
/// so that every request carries the current key of an <see cref="IOpenAIKeyProvider"/>.
/// </summary>
/// <remarks>
/// The clients are singletons that never need re-creating: the key is read from the provider on every request, a 401
/// is answered by re-reading the key and sending the request once more with a newer one, and a 429
/// <c>insufficient_quota</c> is not retried. The <c>AddKeyed…</c> methods register clients for a named provider
/// (one per OpenAI project, for example), resolved with <c>[FromKeyedServices("name")]</c>. The chat and embedding
/// registrations return Microsoft.Extensions.AI's <see cref="ChatClientBuilder"/> and
/// <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>, so that middleware (function invocation,
/// OpenTelemetry, logging, caching) goes around the client that carries the key.
/// </remarks>
public static partial class OpenAIClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <c>OpenAIClient</c> that uses the default <see cref="IOpenAIKeyProvider"/>, with default
    /// settings. When no provider is registered yet, the default one is (the <c>OPENAI_API_KEY</c> environment
    /// variable, then a <c>.env</c> file); configure it with <c>services.AddOpenAIKeyProvider()</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddOpenAIClient(this IServiceCollection services)
    {
        Throw.IfNull(services);
        OpenAIServiceRegistration.EnsureDefaultProvider(services);
        OpenAIServiceRegistration.AddClient(services, string.Empty);
        return services;
    }

    /// <summary>
    /// Registers a singleton <c>OpenAIClient</c> that uses the default <see cref="IOpenAIKeyProvider"/>. When no
    /// provider is registered yet, the default one is (the <c>OPENAI_API_KEY</c> environment variable, then a
    /// <c>.env</c> file); configure it with <c>services.AddOpenAIKeyProvider()</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the client's settings; validated when the host starts.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddOpenAIClient(this IServiceCollection services, Action<OpenAIClientSettings> configure)
    {
        Throw.IfNull(services);
        Throw.IfNull(configure);
        services.AddOpenAIClient();
        services.Configure(string.Empty, configure);
        return services;
    }

    /// <summary>
    /// Registers a singleton <c>OpenAIClient</c> that uses the default <see cref="IOpenAIKeyProvider"/>, with its
    /// settings read from configuration, for example <c>configuration.GetSection("OpenAI")</c>. An unknown setting
    /// fails startup naming its path.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the <see cref="OpenAIClientSettings"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddOpenAIClient(this IServiceCollection services, IConfiguration configuration)
    {
        Throw.IfNull(services);
        Throw.IfNull(configuration);
        services.AddOpenAIClient();
        services.Configure<OpenAIClientSettings>(string.Empty, settings => ConfigurationBinding.Bind(configuration, settings, [], static (c, o, b) => c.Bind(o, b)));
        return services;
    }

    /// <summary>
    /// Registers a singleton <c>OpenAIClient</c>, keyed by <paramref name="providerName"/>, that uses the named
    /// <see cref="IOpenAIKeyProvider"/> registered with <c>services.AddOpenAIKeyProvider(providerName)</c>, with
    /// default settings. Resolve it with <c>[FromKeyedServices("name")] OpenAIClient client</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="providerName">The key provider's name, which is also the client's service key.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedOpenAIClient(this IServiceCollection services, string providerName)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(providerName);
        OpenAIServiceRegistration.AddClient(services, providerName);
        return services;
    }

    /// <summary>
    /// Registers a singleton <c>OpenAIClient</c>, keyed by <paramref name="providerName"/>, that uses the named
    /// <see cref="IOpenAIKeyProvider"/> registered with <c>services.AddOpenAIKeyProvider(providerName)</c>. Resolve it
    /// with <c>[FromKeyedServices("name")] OpenAIClient client</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="providerName">The key provider's name, which is also the client's service key.</param>
    /// <param name="configure">Configures the client's settings; validated when the host starts.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedOpenAIClient(this IServiceCollection services, string providerName, Action<OpenAIClientSettings> configure)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(providerName);
        Throw.IfNull(configure);
        services.AddKeyedOpenAIClient(providerName);
        services.Configure(providerName, configure);
        return services;
    }

    /// <summary>
    /// Registers a singleton <c>OpenAIClient</c>, keyed by <paramref name="providerName"/>, that uses the named
    /// <see cref="IOpenAIKeyProvider"/>, with its settings read from configuration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="providerName">The key provider's name, which is also the client's service key.</param>
    /// <param name="configuration">The section holding the <see cref="OpenAIClientSettings"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedOpenAIClient(this IServiceCollection services, string providerName, IConfiguration configuration)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(providerName);
        Throw.IfNull(configuration);
        services.AddKeyedOpenAIClient(providerName);
        services.Configure<OpenAIClientSettings>(providerName, settings => ConfigurationBinding.Bind(configuration, settings, [], static (c, o, b) => c.Bind(o, b)));
        return services;
    }
}
