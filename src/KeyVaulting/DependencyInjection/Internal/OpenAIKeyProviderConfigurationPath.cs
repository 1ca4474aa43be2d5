namespace KeyVaulting.DependencyInjection.Internal;

/// <summary>Records that a provider's settings are bound from a configuration section, for validation messages.</summary>
/// <param name="ProviderName">The provider's name (empty for the default provider).</param>
/// <param name="Path">The section's path, for example <c>KeyVaulting</c>.</param>
internal sealed record OpenAIKeyProviderConfigurationPath(string ProviderName, string Path);
