namespace KeyVaulting;

/// <summary>
/// One place an OpenAI API key lives: an environment variable, a <c>.env</c> file, Azure Key Vault, AWS Secrets
/// Manager, HashiCorp Vault, or any other store. Implement it to plug in another store.
/// </summary>
/// <remarks>
/// A source fetches on demand and caches nothing: caching, rotation and retries are the provider's job.
/// </remarks>
public interface IOpenAIKeySource
{
    /// <summary>Gets the name of the source, for example <c>AzureKeyVault:openai-api-key</c>. Never a secret.</summary>
    string Name { get; }

    /// <summary>Reads the key from the store now.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>
    /// <see cref="OpenAIKeySourceResult.Found(string, string?, DateTimeOffset?)"/> with the raw value, or
    /// <see cref="OpenAIKeySourceResult.NotFound(string)"/> when the store holds no key.
    /// </returns>
    /// <exception cref="OpenAIKeySourceException">The store failed; the message names the source and the fix.</exception>
    ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken);
}
