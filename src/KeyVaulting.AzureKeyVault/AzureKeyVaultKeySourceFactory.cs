using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault.Diagnostics;
using KeyVaulting.AzureKeyVault.Internal;
using KeyVaulting.AzureKeyVault.Internal.Validators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KeyVaulting.AzureKeyVault;

/// <summary>
/// Creates <see cref="AzureKeyVaultKeySource"/>, from code (<c>AddAzureKeyVault</c>) or from configuration
/// (<c>"Type": "AzureKeyVault"</c>; the core loads this type by name, so configuration alone selects it):
/// <code>
/// "Vault": { "Type": "AzureKeyVault", "VaultUri": "https://my-vault.vault.azure.net/", "SecretName": "openai-api-key" }
/// </code>
/// What configuration cannot express (a <c>TokenCredential</c>, client options) comes from the named
/// <see cref="AzureKeyVaultKeySourceOptions"/> whose name is the source's key (<c>Vault</c> above).
/// </summary>
internal sealed class AzureKeyVaultKeySourceFactory : IOpenAIKeySourceFactory
{
    /// <summary>The logger category of every Azure Key Vault source.</summary>
    public const string LoggerCategory = "KeyVaulting.AzureKeyVault";

    /// <summary>The name used in messages for the credential of a <see cref="SecretClient"/> supplied by the application.</summary>
    public const string SuppliedClientCredentialName = "the SecretClient's credential";

    /// <summary>The generated and the custom validator of the options.</summary>
    public static readonly IValidateOptions<AzureKeyVaultKeySourceOptions>[] Validators =
        [new AzureKeyVaultKeySourceOptionsValidator(), AzureKeyVaultKeySourceOptionsCustomValidator.Instance];

    public string TypeName => AzureKeyVaultKeySource.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
    {
        var section = context.Configuration;
        if (section.GetSection("ClientSecret").Exists())
        {
            // The value is neither read nor repeated.
            throw new InvalidOperationException(
                $"Configuration '{section.Path}:ClientSecret' is not allowed: a client secret must never be stored in configuration. " +
                "Put it in an environment variable and set ClientSecretEnvironmentVariable to that variable's name.");
        }

        if (section[nameof(AzureKeyVaultKeySourceOptions.Credential)] is not null)
        {
            // The value names a credential type, not a secret, but is not repeated either.
            throw new InvalidOperationException(
                $"Configuration '{section.Path}:Credential' cannot choose the credential: use CredentialType (Default, ManagedIdentity, WorkloadIdentity, AzureCli or ClientSecret). " +
                "Credential is the TokenCredential that code can give instead.");
        }

        var options = StoreOptions.Bind(context, static (c, o, b) => c.Bind(o, b), Validators);
        return Create(context.Services, options, $"Configuration '{section.Path}'");
    }

    /// <summary>Creates the source of valid options: the credential, the client options, then the client.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="options">The options, valid.</param>
    /// <param name="where">Where the settings come from, for messages: a configuration path or the source's name.</param>
    public static AzureKeyVaultKeySource Create(IServiceProvider services, AzureKeyVaultKeySourceOptions options, string where)
    {
        var credential = ConfiguredCredential.Create(options, where);
        var clientOptions = KeyVaultClientOptions.Create(options, services.GetService<TimeProvider>() ?? TimeProvider.System, where);
        return Create(services, new SecretClient(options.VaultUri, credential, clientOptions), options, credential.GetType().Name);
    }

    /// <summary>Creates the source on a client: the application's, or the one created from the options.</summary>
    public static AzureKeyVaultKeySource Create(IServiceProvider services, SecretClient client, AzureKeyVaultKeySourceOptions options, string credentialName)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var source = new AzureKeyVaultKeySource(client, options.SecretName!, options.Version, options.JsonField, credentialName, time, logger);
        Log.SourceCreated(logger, source.Name, client.VaultUri, credentialName);
        return source;
    }
}
