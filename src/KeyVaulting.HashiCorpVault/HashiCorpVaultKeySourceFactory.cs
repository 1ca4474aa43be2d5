using KeyVaulting.HashiCorpVault.Diagnostics;
using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.Auth;
using KeyVaulting.HashiCorpVault.Internal.Validators;
using KeyVaulting.HashiCorpVault.Internal.Http;
using KeyVaulting.HashiCorpVault.Internal.OpenAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KeyVaulting.HashiCorpVault;

/// <summary>
/// Creates HashiCorp Vault sources, from code (<c>AddHashiCorpVault</c>) or from configuration
/// (<c>Type: HashiCorpVault</c>; the core finds this type by name, so configuration alone selects it).
/// </summary>
internal sealed class HashiCorpVaultKeySourceFactory : IOpenAIKeySourceFactory
{
    /// <summary>The logger category of every HashiCorp Vault source.</summary>
    public const string LoggerCategory = "KeyVaulting.HashiCorpVault";

    /// <summary>The generated and the custom validator of the options.</summary>
    public static readonly IValidateOptions<HashiCorpVaultKeySourceOptions>[] Validators =
        [new HashiCorpVaultKeySourceOptionsValidator(), HashiCorpVaultKeySourceOptionsCustomValidator.Instance];

    /// <summary>The configuration keys that would put a credential in configuration; they are refused with a clear message.</summary>
    private static readonly string[] ForbiddenSecretKeys = ["Token", "ClientToken", "SecretId", "Jwt", "Password"];

    public string TypeName => VaultDefaults.TypeName;

    public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
        => CreateSource(Bind(context), context.Services);

    /// <summary>Creates the source that valid options describe: a KV secret, or a dynamic credential of the OpenAI secrets plugin.</summary>
    /// <exception cref="InvalidOperationException">A setting the environment completes is invalid or missing; the message names the source and the fix.</exception>
    public static IOpenAIKeySource CreateSource(HashiCorpVaultKeySourceOptions options, IServiceProvider services)
    {
        if (!options.IsOpenAIEngine)
        {
            return Create(options, services);
        }

        var connection = Connect(options, services);
        return new VaultOpenAICredentialSource(connection.Settings, connection.Client, connection.Tokens, connection.Time, connection.Logger);
    }

    /// <summary>Binds and validates the options of a configured source or rotation target, refusing credentials in configuration.</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid, or a credential is in configuration; the message names it and the fix.</exception>
    internal static HashiCorpVaultKeySourceOptions Bind(OpenAIKeySourceFactoryContext context)
    {
        var section = context.Configuration;
        foreach (var key in ForbiddenSecretKeys)
        {
            if (section.GetSection(key).Exists())
            {
                // The value is neither read nor repeated.
                throw new InvalidOperationException(
                    $"Configuration '{section.Path}:{key}' would put a Vault credential in configuration, which KeyVaulting never reads. " +
                    "Name where it is kept instead: TokenVariable or TokenFile (AuthMethod Token), SecretIdVariable or SecretIdFile (AuthMethod AppRole), JwtPath (AuthMethod Kubernetes). Remove the value from your configuration files.");
            }
        }

        return StoreOptions.Bind(context, static (c, o, b) => c.Bind(o, b), Validators);
    }

    /// <summary>Creates a source of valid options (see <see cref="Connect"/>).</summary>
    /// <exception cref="InvalidOperationException">A setting the environment completes is invalid or missing; the message names the source and the fix.</exception>
    public static HashiCorpVaultKeySource Create(HashiCorpVaultKeySourceOptions options, IServiceProvider services)
    {
        var connection = Connect(options, services);
        return new HashiCorpVaultKeySource(connection.Settings, connection.Client, connection.Tokens, connection.Time, connection.Logger);
    }

    /// <summary>
    /// Resolves valid options and creates what talks to Vault for them (the settings, the client and the token
    /// manager), for a source or a rotation target: completes them from the environment, chooses the HTTP client and
    /// warns about weak transport security.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting the environment completes is invalid or missing; the message names the source and the fix.</exception>
    internal static VaultConnection Connect(HashiCorpVaultKeySourceOptions options, IServiceProvider services)
    {
        var settings = VaultSourceSettings.Resolve(options);
        var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(LoggerCategory);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var address = settings.Address.GetLeftPart(UriPartial.Path);

        if (settings.SkipTlsVerify)
        {
            Log.TlsVerificationDisabled(logger, settings.SourceName, address);
        }
        else if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(VaultDefaults.SkipVerifyVariable)))
        {
            Log.SkipVerifyVariableIgnored(logger, settings.SourceName);
        }

        if (settings.Address.Scheme == Uri.UriSchemeHttp && !settings.Address.IsLoopback)
        {
            Log.PlainHttp(logger, settings.SourceName, address);
        }

        var caCertificates = settings.CaCertificatePath is { } caPath && !settings.SkipTlsVerify
            ? VaultTls.LoadCaCertificates(caPath, settings.SourceName)
            : null;

        var http = StoreHttpClient.Create(
            services, HashiCorpVaultKeySourceOptions.HttpClientName, settings.SourceName, VaultClient.Endpoint, VaultTls.CreateHandler(caCertificates, settings.SkipTlsVerify));
        Log.HttpClientChosen(logger, settings.SourceName, http.Description, address);
        var client = new VaultClient(settings.SourceName, settings.Address, settings.Namespace, http, new VaultRedactor(), logger);
        var tokens = new VaultTokenManager(client, settings.Auth, time, logger);
        return new VaultConnection(settings, client, tokens, time, logger);
    }
}
