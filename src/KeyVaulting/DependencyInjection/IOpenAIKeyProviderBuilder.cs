namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures one OpenAI key provider: returned by <c>services.AddOpenAIKeyProvider(...)</c>; sources are added to it
/// in order, and the first source that has a key wins.
/// </summary>
public interface IOpenAIKeyProviderBuilder
{
    /// <summary>Gets the name of the provider; empty for the default provider.</summary>
    string Name { get; }

    /// <summary>Gets the application's service collection.</summary>
    IServiceCollection Services { get; }
}
