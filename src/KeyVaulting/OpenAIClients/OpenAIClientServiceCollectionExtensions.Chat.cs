using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class OpenAIClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <c>ChatClient</c> for <paramref name="model"/>, built on the default <c>OpenAIClient</c>
    /// (registered with default settings when it is not yet), and the <see cref="IChatClient"/> over it through
    /// Microsoft.Extensions.AI's <c>AddChatClient</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="model">The model, for example <c>gpt-4o-mini</c> (with Azure OpenAI: the deployment name).</param>
    /// <returns>
    /// The <see cref="ChatClientBuilder"/> of the registered <see cref="IChatClient"/>: add middleware to it, for example
    /// <c>.UseFunctionInvocation().UseOpenTelemetry()</c>. The <c>ChatClient</c> stays injectable without it.
    /// </returns>
    /// <remarks>
    /// Every request of the pipeline reaches OpenAI through the <c>OpenAIClient</c>, which sends the provider's current
    /// key and answers a 401 by sending that one request once more with a newer key, whatever middleware the builder
    /// adds (a function-invocation loop's requests each get their own single resend).
    /// </remarks>
    public static ChatClientBuilder AddOpenAIChatClient(this IServiceCollection services, string model)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(model);
        services.AddOpenAIClient();
        services.AddSingleton(sp => sp.GetRequiredService<OpenAIClient>().GetChatClient(model));
        return services.AddChatClient(sp => sp.GetRequiredService<ChatClient>().AsIChatClient());
    }

    /// <summary>
    /// Registers a singleton <c>ChatClient</c> for <paramref name="model"/>, keyed by <paramref name="providerName"/> and
    /// built on that provider's keyed <c>OpenAIClient</c>, and the keyed <see cref="IChatClient"/> over it through
    /// Microsoft.Extensions.AI's <c>AddKeyedChatClient</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="providerName">The key provider's name, which is also the service key.</param>
    /// <param name="model">The model, for example <c>gpt-4o-mini</c> (with Azure OpenAI: the deployment name).</param>
    /// <returns>The <see cref="ChatClientBuilder"/> of the keyed <see cref="IChatClient"/>, to add middleware to.</returns>
    public static ChatClientBuilder AddKeyedOpenAIChatClient(this IServiceCollection services, string providerName, string model)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(providerName);
        Throw.IfNullOrWhiteSpace(model);
        services.AddKeyedOpenAIClient(providerName);
        services.AddKeyedSingleton(providerName, (sp, key) => sp.GetRequiredKeyedService<OpenAIClient>(key).GetChatClient(model));
        return services.AddKeyedChatClient(providerName, sp => sp.GetRequiredKeyedService<ChatClient>(providerName).AsIChatClient());
    }
}
