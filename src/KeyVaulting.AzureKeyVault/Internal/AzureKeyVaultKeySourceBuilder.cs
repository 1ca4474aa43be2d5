using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyVaulting.AzureKeyVault.Internal;

/// <summary>Creates <see cref="AzureKeyVaultKeySource"/> with the application's logger and clock.</summary>
internal static class AzureKeyVaultKeySourceBuilder
{
    public const string LoggerCategory = "KeyVaulting.AzureKeyVault";

    /// <summary>The name used in messages for the credential of a <see cref="SecretClient"/> supplied by the application.</summary>
    public const string SuppliedClientCredentialName = "the SecretClient's credential";

    public static AzureKeyVaultKeySource Create(IServiceProvider services, Uri vaultUri, string secretName, AzureKeyVaultKeySourceOptions options)
    {
        var credential = options.Credential ?? new DefaultAzureCredential();
        return Create(services, vaultUri, secretName, options, credential);
    }

    public static AzureKeyVaultKeySource Create(
        IServiceProvider services, Uri vaultUri, string secretName, AzureKeyVaultKeySourceOptions options, TokenCredential credential)
    {
        var clientOptions = options.ClientOptions is { } supplied
            ? SecretSettings.WithResponseSizeLimit(supplied)
            : SecretSettings.CreateClientOptions(GetTime(services));
        var client = new SecretClient(vaultUri, credential, clientOptions);
        return Create(services, client, secretName, options, credential.GetType().Name);
    }

    public static AzureKeyVaultKeySource Create(
        IServiceProvider services, SecretClient client, string secretName, AzureKeyVaultKeySourceOptions options, string credentialName)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
        return new AzureKeyVaultKeySource(client, secretName, options.Version, options.JsonField, credentialName, GetTime(services), logger);
    }

    /// <summary>Returns what is wrong with the options, or <see langword="null"/>.</summary>
    public static string? FindProblem(AzureKeyVaultKeySourceOptions options)
    {
        if (options.Version is not null && !SecretSettings.IsValidVersion(options.Version))
        {
            return $"Version must be {SecretSettings.VersionRule}, or null to follow the latest version.";
        }

        if (options.JsonField is not null && string.IsNullOrWhiteSpace(options.JsonField))
        {
            return "JsonField must name a JSON property, or be null when the secret holds the bare key.";
        }

        return options.ClientOptions is { } clientOptions ? SecretSettings.FindUnsafeLogging(clientOptions) : null;
    }

    private static TimeProvider GetTime(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;
}
