using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class OpenAIClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <c>EmbeddingClient</c> for <paramref name="model"/>, built on the default
    /// <c>OpenAIClient</c> (registered with default settings when it is not yet), and the
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings over it through Microsoft.Extensions.AI's
    /// <c>AddEmbeddingGenerator</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="model">The model, for example <c>text-embedding-3-small</c>.</param>
    /// <returns>
    /// The <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/> of the registered generator: add middleware to
    /// it, for example <c>.UseOpenTelemetry()</c>. The <c>EmbeddingClient</c> stays injectable without it.
    /// </returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddOpenAIEmbeddingClient(this IServiceCollection services, string model)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(model);
        services.AddOpenAIClient();
        services.AddSingleton(sp => sp.GetRequiredService<OpenAIClient>().GetEmbeddingClient(model));
        return services.AddEmbeddingGenerator(sp => sp.GetRequiredService<EmbeddingClient>().AsIEmbeddingGenerator());
    }

    /// <summary>
    /// Registers a singleton <c>EmbeddingClient</c> for <paramref name="model"/>, keyed by
    /// <paramref name="providerName"/> and built on that provider's keyed <c>OpenAIClient</c>, and the keyed
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings over it through Microsoft.Extensions.AI's
    /// <c>AddKeyedEmbeddingGenerator</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="providerName">The key provider's name, which is also the service key.</param>
    /// <param name="model">The model, for example <c>text-embedding-3-small</c>.</param>
    /// <returns>The <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/> of the keyed generator, to add middleware to.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddKeyedOpenAIEmbeddingClient(this IServiceCollection services, string providerName, string model)
    {
        Throw.IfNull(services);
        Throw.IfNullOrWhiteSpace(providerName);
        Throw.IfNullOrWhiteSpace(model);
        services.AddKeyedOpenAIClient(providerName);
        services.AddKeyedSingleton(providerName, (sp, key) => sp.GetRequiredKeyedService<OpenAIClient>(key).GetEmbeddingClient(model));
        return services.AddKeyedEmbeddingGenerator(providerName, sp => sp.GetRequiredKeyedService<EmbeddingClient>(providerName).AsIEmbeddingGenerator());
    }
}
