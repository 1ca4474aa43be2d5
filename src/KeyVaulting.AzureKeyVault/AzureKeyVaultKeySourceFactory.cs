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
        => Create(context.Services, Bind(context), $"Configuration '{context.Configuration.Path}'");

    /// <summary>
    /// Binds and validates the options of a configured source (or rotation target, or the tool's write), refusing a
    /// client secret or a credential in configuration.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names it and the fix.</exception>
    internal static AzureKeyVaultKeySourceOptions Bind(OpenAIKeySourceFactoryContext context)
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

        return StoreOptions.Bind(context, static (c, o, b) => c.Bind(o, b), Validators);
    }

    /// <summary>
    /// Creates the client of valid options, as every reader and writer of the package does: the credential that the
    /// options choose, then KeyVaulting's client options.
    /// </summary>
    /// <param name="services">The application's services (the <see cref="TimeProvider"/>).</param>
    /// <param name="options">The options, valid.</param>
    /// <param name="where">Where the settings come from, for messages: a configuration path or the source's name.</param>
    /// <returns>The client, and the name of its credential for messages (for example <c>ManagedIdentityCredential</c>).</returns>
    /// <exception cref="InvalidOperationException">The client secret's environment variable is not set, or the client options would log a secret.</exception>
    internal static (SecretClient Client, string CredentialName) CreateClient(IServiceProvider services, AzureKeyVaultKeySourceOptions options, string where)
    {
        var credential = ConfiguredCredential.Create(options, where);
        var clientOptions = KeyVaultClientOptions.Create(options, services.GetService<TimeProvider>() ?? TimeProvider.System, where);
        return (new SecretClient(options.VaultUri, credential, clientOptions), credential.GetType().Name);
    }

    /// <summary>Creates the source of valid options: the credential, the client options, then the client.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="options">The options, valid.</param>
    /// <param name="where">Where the settings come from, for messages: a configuration path or the source's name.</param>
    public static AzureKeyVaultKeySource Create(IServiceProvider services, AzureKeyVaultKeySourceOptions options, string where)
    {
        var (client, credentialName) = CreateClient(services, options, where);
        return Create(services, client, options, credentialName);
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
