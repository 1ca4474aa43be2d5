namespace KeyVaulting.AzureOpenAI.Internal;

/// <summary>Marks that an Azure OpenAI client is registered for a provider name, so that it is registered once.</summary>
internal sealed class AzureOpenAIClientRegistration(string providerName)
{
    public string ProviderName { get; } = providerName;
}
