using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Diagnostics;

/// <summary>
/// Log messages of the Azure Key Vault package (event ids 100–199). No message takes a secret's value, an access
/// token or a client secret, at any level.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "{SourceName} read version {SecretVersion} of the secret from Azure Key Vault {VaultUri} (expires {ExpiresOn}).")]
    public static partial void SecretRead(ILogger logger, string sourceName, string? secretVersion, Uri vaultUri, DateTimeOffset? expiresOn);

    [LoggerMessage(101, LogLevel.Debug, "{SourceName}: Azure Key Vault {VaultUri} does not have the secret or version ({Status}).")]
    public static partial void SecretNotFound(ILogger logger, string sourceName, Uri vaultUri, string status);

    [LoggerMessage(102, LogLevel.Debug, "{SourceName}: Azure Key Vault {VaultUri} answered {Status}.")]
    public static partial void RequestFailed(ILogger logger, string sourceName, Uri vaultUri, string status);

    [LoggerMessage(103, LogLevel.Debug, "{SourceName} reads Azure Key Vault {VaultUri} with {CredentialType}.")]
    public static partial void SourceCreated(ILogger logger, string sourceName, Uri vaultUri, string credentialType);

    [LoggerMessage(104, LogLevel.Debug, "{SourceName} could not authenticate to Azure Key Vault {VaultUri}: {CredentialType} threw {ExceptionType}.")]
    public static partial void AuthenticationFailed(ILogger logger, string sourceName, Uri vaultUri, string credentialType, string exceptionType);
}
