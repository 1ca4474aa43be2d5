using Azure.AI.OpenAI;
using KeyVaulting;
using KeyVaulting.AzureOpenAI;
using KeyVaulting.AzureOpenAI.Internal;
using KeyVaulting.Sources.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using OpenAI.Chat;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Azure OpenAI's client (<see cref="AzureOpenAIClient"/>, package <c>Azure.AI.OpenAI</c>) so that every
/// request carries the current key of an <see cref="IOpenAIKeyProvider"/> in the <c>api-key</c> header.
/// </summary>
/// <remarks>
/// The rules are those of <c>AddOpenAIClient</c>: the key is read on every try (a memory read), a 401 is answered by
/// re-reading the key and sending that request once more when it changed (never more), a 429
/// <c>insufficient_quota</c> is not retried, and a server's retry hint of up to a minute is followed. The key provider
/// is not registered for you: add the source that holds the Azure OpenAI key, for example
/// <c>services.AddOpenAIKeyProvider().AddAzureKeyVault(vaultUri, "azure-openai-key")</c>.
/// </remarks>
public static class AzureOpenAIClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="AzureOpenAIClient"/> that uses the default <see cref="IOpenAIKeyProvider"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the client's settings, at least <see cref="AzureOpenAIClientSettings.Endpoint"/>;
    /// validated when the host starts.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAzureOpenAIClient(this IServiceCollection services, Action<AzureOpenAIClientSettings> configure)
    {
        Throw.IfNull(services);
        Throw.IfNull(configure);
        AzureOpenAIServiceRegistration.AddClient(services, string.Empty);
        services.Configure(string.Empty, configure);
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="AzureOpenAIClient"/> that uses the default <see cref="IOpenAIKeyProvider"/>,
    /// with its settings read from configuration, for example <c>configuration.GetSection("AzureOpenAI")</c>. An unknown
    /// setting fails startup naming its path.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the <see cref="AzureOpenAIClientSettings"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAzureOpenAIClient(this IServiceCollection services, IConfiguration configuration)
    {
        Throw.IfNull(services);
        Throw.IfNull(configuration);
        AzureOpenAIServiceRegistration.AddClient(services, string.Empty);
        services.Configure<AzureOpenAIClientSettings>(string.Empty, settings => ConfigurationBinding.Bind(configuration, settings, [], static (c, o, b) => c.Bind(o, b)));
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="AzureOpenAIClient"/>, keyed by <paramref name="providerName"/>, that uses the
    /// named <see cref="IOpenAIKeyProvider"/>. Resolve it with <c>[FromKeyedServices("name")] AzureOpenAIClient client</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="providerName">The key provider's name, which is also the client's service key.</param>
    /// <param name="configure">Sets the client's settings, at least <see cref="AzureOpenAIClientSettings.Endpoint"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedAzureOpenAIClient(this IServiceCollection services, string providerName, Action<AzureOpenAIClientSettings> configure)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(providerName);
        Throw.IfNull(configure);
        AzureOpenAIServiceRegistration.AddClient(services, providerName);
        services.Configure(providerName, configure);
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="AzureOpenAIClient"/>, keyed by <paramref name="providerName"/>, that uses the
    /// named <see cref="IOpenAIKeyProvider"/>, with its settings read from configuration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="providerName">The key provider's name, which is also the client's service key.</param>
    /// <param name="configuration">The section holding the <see cref="AzureOpenAIClientSettings"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedAzureOpenAIClient(this IServiceCollection services, string providerName, IConfiguration configuration)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(providerName);
        Throw.IfNull(configuration);
        AzureOpenAIServiceRegistration.AddClient(services, providerName);
        services.Configure<AzureOpenAIClientSettings>(providerName, settings => ConfigurationBinding.Bind(configuration, settings, [], static (c, o, b) => c.Bind(o, b)));
        return services;
    }

    /// <summary>
    /// Registers a singleton <c>ChatClient</c> for the Azure OpenAI <paramref name="deploymentName"/>, built on the
    /// default <see cref="AzureOpenAIClient"/> (register it first with <c>AddAzureOpenAIClient(...)</c>), and the
    /// <see cref="IChatClient"/> over it through Microsoft.Extensions.AI's <c>AddChatClient</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="deploymentName">The model deployment's name.</param>
    /// <returns>The <see cref="ChatClientBuilder"/> of the registered <see cref="IChatClient"/>, to add middleware to.</returns>
    public static ChatClientBuilder AddAzureOpenAIChatClient(this IServiceCollection services, string deploymentName)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(deploymentName);
        services.AddSingleton(sp => sp.GetRequiredService<AzureOpenAIClient>().GetChatClient(deploymentName));
        return services.AddChatClient(sp => sp.GetRequiredService<ChatClient>().AsIChatClient());
    }
}
