using System.Diagnostics.CodeAnalysis;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault;
using KeyVaulting.AzureKeyVault.Internal;
using KeyVaulting.AzureKeyVault.Internal.Validators;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Azure Key Vault secrets to an <see cref="IOpenAIKeyProviderBuilder"/>.</summary>
public static class AzureKeyVaultOpenAIKeyProviderBuilderExtensions
{
    private const string OverloadJustification =
        "The overloads differ in the type of a required parameter (Uri or SecretClient), so no call is ambiguous.";

    /// <summary>
    /// Adds an Azure Key Vault secret to the end of the chain. The secret is re-read on every refresh, so a new version
    /// is picked up without a restart; a missing secret falls through to the next source.
    /// </summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="vaultUri">The vault's URI, for example <c>https://my-vault.vault.azure.net/</c>.</param>
    /// <param name="secretName">The name of the secret that holds the key, for example <c>openai-api-key</c>.</param>
    /// <param name="configure">
    /// Configures the credential (default: <see cref="DefaultAzureCredential"/>), a pinned version, a JSON field and the
    /// Azure SDK client options.
    /// </param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="vaultUri"/> is not an absolute https URI, <paramref name="secretName"/> is not a valid Key Vault
    /// secret name, or the options are invalid.
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadJustification)]
    public static IOpenAIKeyProviderBuilder AddAzureKeyVault(
        this IOpenAIKeyProviderBuilder builder,
        Uri vaultUri,
        string secretName,
        Action<AzureKeyVaultKeySourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(vaultUri);
        if (!AzureKeyVaultKeySourceOptionsCustomValidator.IsValidVaultUri(vaultUri))
        {
            throw new ArgumentException($"The vault URI must be {AzureKeyVaultKeySourceOptionsCustomValidator.VaultUriRule}, without user information.", nameof(vaultUri));
        }

        ValidateSecretName(secretName);
        var options = Configure(new AzureKeyVaultKeySourceOptions { VaultUri = vaultUri, SecretName = secretName }, configure);
        var where = AzureKeyVaultKeySource.NameOf(secretName, options.Version);

        builder.AddSource(sp => AzureKeyVaultKeySourceFactory.Create(sp, options, where));
        return builder.AddSourceFactory<AzureKeyVaultKeySourceFactory>();
    }

    /// <summary>
    /// Adds an Azure Key Vault secret, read with a <see cref="SecretClient"/> the application already built, to the end
    /// of the chain. The secret is re-read on every refresh; a missing secret falls through to the next source.
    /// </summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="client">The client; its credential and options are used as they are.</param>
    /// <param name="secretName">The name of the secret that holds the key, for example <c>openai-api-key</c>.</param>
    /// <param name="configure">
    /// Configures a pinned version or a JSON field. The credential and client settings belong to the client and must
    /// not be set.
    /// </param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="secretName"/> is not a valid Key Vault secret name, or the options are invalid.
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadJustification)]
    public static IOpenAIKeyProviderBuilder AddAzureKeyVault(
        this IOpenAIKeyProviderBuilder builder,
        SecretClient client,
        string secretName,
        Action<AzureKeyVaultKeySourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        ValidateSecretName(secretName);
        var options = Configure(new AzureKeyVaultKeySourceOptions { VaultUri = client.VaultUri, SecretName = secretName }, configure);
        if (options.Credential is not null || options.CredentialType is not null || options.ConfigureClientOptions is not null || options.ServiceVersion is not null)
        {
            throw new ArgumentException(
                "Credential, CredentialType, ServiceVersion and ConfigureClientOptions cannot be set when a SecretClient is supplied: the client's own credential and options are used.",
                nameof(configure));
        }

        builder.AddSource(sp => AzureKeyVaultKeySourceFactory.Create(sp, client, options, AzureKeyVaultKeySourceFactory.SuppliedClientCredentialName));
        return builder.AddSourceFactory<AzureKeyVaultKeySourceFactory>();
    }

    private static void ValidateSecretName(string secretName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        if (AzureKeyVaultKeySourceOptionsCustomValidator.SecretNameProblem(secretName) is { } problem)
        {
            throw new ArgumentException(problem, nameof(secretName));
        }
    }

    private static AzureKeyVaultKeySourceOptions Configure(AzureKeyVaultKeySourceOptions options, Action<AzureKeyVaultKeySourceOptions>? configure)
        => StoreOptions.Configure(options, configure, AzureKeyVaultKeySource.NameOf(options.SecretName!, version: null), AzureKeyVaultKeySourceFactory.Validators);
}
