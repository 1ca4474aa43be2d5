using System.Diagnostics.CodeAnalysis;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault;
using KeyVaulting.AzureKeyVault.Internal;

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
    /// Configures the credential (default: <see cref="DefaultAzureCredential"/>), a pinned version,
    /// a JSON field and the Azure SDK client options.
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
        Throw.IfNull(builder);
        Throw.IfNull(vaultUri);
        if (!SecretSettings.IsValidVaultUri(vaultUri))
        {
            throw new ArgumentException($"The vault URI must be {SecretSettings.VaultUriRule}.", nameof(vaultUri));
        }

        ValidateSecretName(secretName);
        var options = Configure(configure);

        builder.AddSource(sp => AzureKeyVaultKeySourceBuilder.Create(sp, vaultUri, secretName, options));
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
    /// Configures a pinned version or a JSON field. <see cref="AzureKeyVaultKeySourceOptions.Credential"/> and
    /// <see cref="AzureKeyVaultKeySourceOptions.ClientOptions"/> belong to the client and must not be set.
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
        Throw.IfNull(builder);
        Throw.IfNull(client);
        ValidateSecretName(secretName);
        var options = Configure(configure);
        if (options.Credential is not null || options.ClientOptions is not null)
        {
            throw new ArgumentException(
                "Credential and ClientOptions cannot be set when a SecretClient is supplied: the client's own credential and options are used.",
                nameof(configure));
        }

        builder.AddSource(sp => AzureKeyVaultKeySourceBuilder.Create(
            sp, client, secretName, options, AzureKeyVaultKeySourceBuilder.SuppliedClientCredentialName));
        return builder.AddSourceFactory<AzureKeyVaultKeySourceFactory>();
    }

    private static void ValidateSecretName(string secretName)
    {
        Throw.IfNullOrWhiteSpace(secretName);
        if (!SecretSettings.IsValidSecretName(secretName))
        {
            throw new ArgumentException($"The secret name must be {SecretSettings.SecretNameRule}.", nameof(secretName));
        }
    }

    private static AzureKeyVaultKeySourceOptions Configure(Action<AzureKeyVaultKeySourceOptions>? configure)
    {
        var options = new AzureKeyVaultKeySourceOptions();
        configure?.Invoke(options);
        if (AzureKeyVaultKeySourceBuilder.FindProblem(options) is { } problem)
        {
            throw new ArgumentException("Invalid Azure Key Vault source options: " + problem, nameof(configure));
        }

        return options;
    }
}
