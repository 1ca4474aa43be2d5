using Microsoft.Extensions.Configuration;

namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>The ordered chain of a named provider: sources added in code and configuration sections, in order.</summary>
internal sealed class OpenAIKeySourceChainOptions
{
    public List<Func<IServiceProvider, IEnumerable<IOpenAIKeySource>>> Entries { get; } = [];

    public IConfiguration? Configuration { get; set; }
}
