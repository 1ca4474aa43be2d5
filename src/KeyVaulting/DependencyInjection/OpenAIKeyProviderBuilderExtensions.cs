using System.Diagnostics.CodeAnalysis;
using KeyVaulting;
using KeyVaulting.DependencyInjection.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds key sources to an <see cref="IOpenAIKeyProviderBuilder"/>.</summary>
public static partial class OpenAIKeyProviderBuilderExtensions
{
    /// <summary>Adds a source to the end of the provider's chain. The application keeps ownership of the instance: the provider does not dispose it.</summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="source">The source.</param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException">The source's <see cref="IOpenAIKeySource.Name"/> is empty, or looks like a key rather than a name (the message does not repeat it).</exception>
    public static IOpenAIKeyProviderBuilder AddSource(this IOpenAIKeyProviderBuilder builder, IOpenAIKeySource source)
    {
        Throw.IfNull(builder);
        Throw.IfNull(source);
        SecretShapedNames.ThrowIfSecretShapedSourceName(source, nameof(source));
        return builder.AddEntry(new OpenAIKeySourceChainEntry(_ => [source], Owned: false));
    }

    /// <summary>
    /// Adds a source created from the application's services to the end of the provider's chain. The provider owns it:
    /// a source that is <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/> is disposed with the provider.
    /// A source whose <see cref="IOpenAIKeySource.Name"/> is empty or looks like a key makes resolving the provider fail.
    /// </summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="factory">Creates the source when the provider is first resolved.</param>
    /// <returns>The builder, to add more sources.</returns>
    public static IOpenAIKeyProviderBuilder AddSource(this IOpenAIKeyProviderBuilder builder, Func<IServiceProvider, IOpenAIKeySource> factory)
    {
        Throw.IfNull(builder);
        Throw.IfNull(factory);
        return builder.AddEntry(new OpenAIKeySourceChainEntry(sp => [factory(sp)], Owned: true));
    }

    private static IOpenAIKeyProviderBuilder AddEntry(this IOpenAIKeyProviderBuilder builder, OpenAIKeySourceChainEntry entry)
    {
        builder.Services.Configure<OpenAIKeySourceChainOptions>(builder.Name, chain => chain.Entries.Add(entry));
        return builder;
    }

    /// <summary>Adds a source of type <typeparamref name="TSource"/>, created with its constructor's services, to the end of the chain.</summary>
    /// <typeparam name="TSource">The source type.</typeparam>
    /// <param name="builder">The provider builder.</param>
    /// <returns>The builder, to add more sources.</returns>
    public static IOpenAIKeyProviderBuilder AddSource<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSource>(this IOpenAIKeyProviderBuilder builder)
        where TSource : class, IOpenAIKeySource
        => builder.AddSource(sp => ActivatorUtilities.CreateInstance<TSource>(sp));

    /// <summary>
    /// Registers a factory so that configuration can select its source type by <c>Type</c>, like the built-in ones.
    /// </summary>
    /// <typeparam name="TFactory">The factory type.</typeparam>
    /// <param name="builder">The provider builder.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyProviderBuilder AddSourceFactory<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFactory>(this IOpenAIKeyProviderBuilder builder)
        where TFactory : class, IOpenAIKeySourceFactory
    {
        Throw.IfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOpenAIKeySourceFactory, TFactory>());
        return builder;
    }
}
