namespace Microsoft.Extensions.DependencyInjection;

internal sealed class OpenAIKeyRotationBuilder(string name, IServiceCollection services) : IOpenAIKeyRotationBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;
}
