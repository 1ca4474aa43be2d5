namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>The ordered chain of a named provider: sources added in code and configuration sections, in order.</summary>
internal sealed class OpenAIKeySourceChainOptions
{
    public List<OpenAIKeySourceChainEntry> Entries { get; } = [];
}

/// <summary>
/// One entry of a chain. As with DI's own rule, sources the provider creates (<paramref name="Owned"/>) are disposed
/// with it; instances the application passed in are not.
/// </summary>
internal sealed record OpenAIKeySourceChainEntry(Func<IServiceProvider, IEnumerable<IOpenAIKeySource>> Create, bool Owned);
