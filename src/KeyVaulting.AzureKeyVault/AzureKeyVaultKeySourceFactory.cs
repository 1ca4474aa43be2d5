using KeyVaulting.AzureKeyVault.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyVaulting.AzureKeyVault;

/// <summary>
/// Creates <see cref="AzureKeyVaultKeySource"/> from configuration (<c>"Type": "AzureKeyVault"</c>). The core package
/// loads it by name, so configuration alone selects it:
/// <code>
/// "Vault": { "Type": "AzureKeyVault", "VaultUri": "https://my-vault.vault.azure.net/", "SecretName": "openai-api-key" }
/// </code>
/// Settings configuration cannot express (a custom <c>TokenCredential</c>, client options) come from the named
/// <see cref="AzureKeyVaultKeySourceOptions"/> whose name is the source's key (<c>Vault</c> above).
/// </summary>
internal sealed class AzureKeyVaultKeySourceFactory : IOpenAIKeySourceFactory
{
    public string TypeName => AzureKeyVaultKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
    {
        var section = context.Configuration;
        var path = section.Path;
        if (section.GetSection("ClientSecret").Exists())
        {
            throw new InvalidOperationException(
                $"Configuration '{path}:ClientSecret' is not allowed: a client secret must never be stored in configuration. " +
                "Put it in an environment variable and set ClientSecretEnvironmentVariable to that variable's name.");
        }

        var settings = context.Bind<AzureKeyVaultSourceSettings>();

        if (!Uri.TryCreate(settings.VaultUri, UriKind.Absolute, out var vaultUri) || !SecretSettings.IsValidVaultUri(vaultUri))
        {
            throw new InvalidOperationException($"Configuration '{path}:VaultUri' must be {SecretSettings.VaultUriRule}.");
        }

        if (!SecretSettings.IsValidSecretName(settings.SecretName))
        {
            throw new InvalidOperationException($"Configuration '{path}:SecretName' must be {SecretSettings.SecretNameRule}.");
        }

        if (settings.Version is not null && !SecretSettings.IsValidVersion(settings.Version))
        {
            throw new InvalidOperationException(
                $"Configuration '{path}:Version' must be {SecretSettings.VersionRule}; remove it to follow the latest version.");
        }

        if (settings.JsonField is not null && string.IsNullOrWhiteSpace(settings.JsonField))
        {
            throw new InvalidOperationException($"Configuration '{path}:JsonField' must name a JSON property; remove it when the secret holds the bare key.");
        }

        var code = context.Services.GetService<IOptionsMonitor<AzureKeyVaultKeySourceOptions>>()?.Get(section.Key);
        var options = new AzureKeyVaultKeySourceOptions
        {
            Credential = code?.Credential,
            ClientOptions = code?.ClientOptions,
            Version = settings.Version ?? code?.Version,
            JsonField = settings.JsonField ?? code?.JsonField,
        };

        if (AzureKeyVaultKeySourceBuilder.FindProblem(options) is { } problem)
        {
            throw new InvalidOperationException(
                $"The options configured in code for Azure Key Vault source '{path}' (services.Configure<AzureKeyVaultKeySourceOptions>(\"{section.Key}\", …)) are invalid: {problem}");
        }

        if (settings.Credential is null && options.Credential is not null)
        {
            var ignored = ConfiguredCredential.SetCredentialSettings(settings).FirstOrDefault();
            if (ignored is not null)
            {
                throw new InvalidOperationException(
                    $"Configuration '{path}:{ignored}' has no effect: the credential is supplied in code. Remove the setting, or set Credential to choose the credential by configuration.");
            }

            return AzureKeyVaultKeySourceBuilder.Create(context.Services, vaultUri, settings.SecretName!, options, options.Credential);
        }

        var credential = ConfiguredCredential.Create(settings, path);
        return AzureKeyVaultKeySourceBuilder.Create(context.Services, vaultUri, settings.SecretName!, options, credential);
    }
}
