namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>Marks that a provider of this name is registered; the startup service loads each one.</summary>
internal sealed class OpenAIKeyProviderRegistration(string name)
{
    public string Name { get; } = name;
}
