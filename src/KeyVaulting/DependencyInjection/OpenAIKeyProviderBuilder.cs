namespace Microsoft.Extensions.DependencyInjection;

internal sealed class OpenAIKeyProviderBuilder(string name, IServiceCollection services) : IOpenAIKeyProviderBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;
}
