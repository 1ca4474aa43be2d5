using KeyVaulting.Provider;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>
/// Builds the provider a <c>KeyVaulting</c> configuration section describes and lists its chain, without reading any
/// source: nothing asks for a key, so no store is contacted.
/// </summary>
internal static class ConfiguredChain
{
    public static IReadOnlyList<string> SourceNames(IConfiguration keyVaulting)
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(keyVaulting);
        using var provider = services.BuildServiceProvider();
        return SourceNames(provider);
    }

    public static IReadOnlyList<string> SourceNames(IServiceProvider services)
    {
        var provider = (OpenAIKeyProvider)services.GetRequiredService<IOpenAIKeyProvider>();
        provider.GetStatus().Key.Should().BeNull("listing the chain must not read a key");
        provider.GetStatus().LastError.Should().BeNull("listing the chain must not try a source");
        return provider.Sources.Select(source => source.Name).ToList();
    }
}
