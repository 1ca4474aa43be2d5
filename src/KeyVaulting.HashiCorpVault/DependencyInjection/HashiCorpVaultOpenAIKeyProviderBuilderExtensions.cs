using KeyVaulting.HashiCorpVault;
using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.Validators;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds HashiCorp Vault to an <see cref="IOpenAIKeyProviderBuilder"/>.</summary>
public static class HashiCorpVaultOpenAIKeyProviderBuilderExtensions
{
    /// <summary>
    /// Adds a KV secret in HashiCorp Vault to the end of the chain. It is read on every refresh, so a new KV
    /// version is picked up; a missing secret falls through to the next source; a Vault failure (sealed, denied,
    /// unreachable) stops the chain while the last known good key keeps being served. With
    /// <see cref="HashiCorpVaultKeySourceOptions.SecretEngine"/> <c>OpenAI</c>, <paramref name="path"/> is the role of
    /// Vault's OpenAI secrets plugin, which mints the key under a lease that the source renews and finally revokes.
    /// </summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="path">The secret's path inside the mount, for example <c>openai</c> for <c>vault kv get -mount=secret openai</c>.</param>
    /// <param name="configure">
    /// Configures the source: address, mount, field, TLS and authentication. By default: <c>VAULT_ADDR</c>, the KV
    /// version 2 mount <c>secret</c>, the field <c>api_key</c>, and the token from <c>VAULT_TOKEN</c> or <c>~/.vault-token</c>.
    /// </param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message lists every problem.</exception>
    public static IOpenAIKeyProviderBuilder AddHashiCorpVault(this IOpenAIKeyProviderBuilder builder, string path, Action<HashiCorpVaultKeySourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (HashiCorpVaultKeySourceOptionsCustomValidator.PathProblem(path) is { } problem)
        {
            throw new ArgumentException(problem, nameof(path));
        }

        var options = new HashiCorpVaultKeySourceOptions { Path = path };
        configure?.Invoke(options);
        StoreOptions.Configure(options, configure: null, VaultSourceSettings.SourceNameOf(options), HashiCorpVaultKeySourceFactory.Validators);

        StoreHttpClient.Register(builder.Services, HashiCorpVaultKeySourceOptions.HttpClientName);
        builder.AddSourceFactory<HashiCorpVaultKeySourceFactory>();
        return builder.AddSource(sp => HashiCorpVaultKeySourceFactory.CreateSource(options, sp));
    }
}
