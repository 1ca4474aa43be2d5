using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Diagnostics;

/// <summary>
/// Log messages of the HashiCorp Vault source (event ids 300–399). No message takes a token, secret id, JWT or key,
/// at any level; Vault's own error and warning texts are redacted of every secret the source knows before logging.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Warning, "TLS certificate verification is DISABLED for Vault at {Address} ({SourceName}) because SkipTlsVerify is set. Anyone on the network path can impersonate Vault and capture its tokens and the OpenAI key. Trust Vault's CA with CaCertificatePath (or VAULT_CACERT) instead.")]
    public static partial void TlsVerificationDisabled(ILogger logger, string sourceName, string address);

    [LoggerMessage(301, LogLevel.Warning, "{SourceName} talks to Vault at {Address} over plain HTTP: Vault tokens and the OpenAI key cross the network unencrypted. Use an https:// address.")]
    public static partial void PlainHttp(ILogger logger, string sourceName, string address);

    [LoggerMessage(302, LogLevel.Information, "VAULT_SKIP_VERIFY is set but {SourceName} ignores it: TLS verification is only disabled by setting SkipTlsVerify explicitly.")]
    public static partial void SkipVerifyVariableIgnored(ILogger logger, string sourceName);

    [LoggerMessage(303, LogLevel.Debug, "{SourceName} uses {HttpClientKind} to reach Vault at {Address}.")]
    public static partial void HttpClientChosen(ILogger logger, string sourceName, string httpClientKind, string address);

    [LoggerMessage(310, LogLevel.Information, "{SourceName} logged in to Vault with {AuthMethod}; the token is valid for {TokenTtl} (renewable: {Renewable}).")]
    public static partial void LoggedIn(ILogger logger, string sourceName, string authMethod, string tokenTtl, bool renewable);

    [LoggerMessage(311, LogLevel.Debug, "{SourceName} uses the Vault token from {TokenSource}; it is valid for {TokenTtl} (renewable: {Renewable}).")]
    public static partial void TokenLookedUp(ILogger logger, string sourceName, string tokenSource, string tokenTtl, bool renewable);

    [LoggerMessage(312, LogLevel.Debug, "{SourceName} could not look up its Vault token's TTL ({Reason}); it will not renew it ahead of time.")]
    public static partial void TokenLookupFailed(ILogger logger, string sourceName, string reason);

    [LoggerMessage(313, LogLevel.Debug, "{SourceName} renewed its Vault token; it is now valid for {TokenTtl} (renewable: {Renewable}).")]
    public static partial void TokenRenewed(ILogger logger, string sourceName, string tokenTtl, bool renewable);

    [LoggerMessage(314, LogLevel.Warning, "Vault refused to renew the token of {SourceName} ({Reason}). {Action}")]
    public static partial void TokenRenewalRefused(ILogger logger, string sourceName, string reason, string action);

    [LoggerMessage(315, LogLevel.Warning, "{SourceName} could not renew its Vault token ({Reason}); it keeps using it (valid until {ExpiresAt}) and tries again on the next refresh.")]
    public static partial void TokenRenewalFailed(ILogger logger, string sourceName, string reason, DateTimeOffset expiresAt);

    [LoggerMessage(316, LogLevel.Information, "The Vault token of {SourceName} expired at {ExpiresAt}; getting a new one from {AuthMethod}.")]
    public static partial void TokenExpired(ILogger logger, string sourceName, DateTimeOffset expiresAt, string authMethod);

    [LoggerMessage(317, LogLevel.Warning, "Vault rejected the token of {SourceName} as invalid (expired or revoked); getting a new one from {AuthMethod} and retrying once.")]
    public static partial void TokenRejected(ILogger logger, string sourceName, string authMethod);

    [LoggerMessage(318, LogLevel.Information, "The Vault token of {SourceName} cannot be renewed further (not renewable, or capped by its max TTL); logging in again with {AuthMethod} ahead of its expiry at {ExpiresAt}.")]
    public static partial void LoggingInAheadOfExpiry(ILogger logger, string sourceName, string authMethod, DateTimeOffset expiresAt);

    [LoggerMessage(320, LogLevel.Warning, "Vault returned warnings for {Operation} of {SourceName}: {Warnings}")]
    public static partial void VaultWarnings(ILogger logger, string sourceName, string operation, string warnings);

    [LoggerMessage(321, LogLevel.Debug, "{SourceName} read {VaultPath} (version {KeyVersion}).")]
    public static partial void SecretRead(ILogger logger, string sourceName, string vaultPath, string? keyVersion);
}
