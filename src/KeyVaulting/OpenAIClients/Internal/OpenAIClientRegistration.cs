namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>Marks that an OpenAI client is registered for a provider name; the startup validation visits each one.</summary>
internal sealed class OpenAIClientRegistration(string providerName)
{
    public string ProviderName { get; } = providerName;
}
