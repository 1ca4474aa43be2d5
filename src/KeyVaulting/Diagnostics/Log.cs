using Microsoft.Extensions.Logging;

namespace KeyVaulting.Diagnostics;

/// <summary>
/// Log messages of the core package (event ids 1–99). No message takes a key value, at any level: keys appear only
/// as fingerprints.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "OpenAI key provider '{ProviderName}' loaded key {Fingerprint} from {SourceName} (version {KeyVersion}).")]
    public static partial void KeyLoaded(ILogger logger, string providerName, string fingerprint, string sourceName, string? keyVersion);

    [LoggerMessage(2, LogLevel.Information, "OpenAI key provider '{ProviderName}' rotated its key: {OldFingerprint} -> {NewFingerprint} from {SourceName} (version {KeyVersion}).")]
    public static partial void KeyRotated(ILogger logger, string providerName, string oldFingerprint, string newFingerprint, string sourceName, string? keyVersion);

    [LoggerMessage(3, LogLevel.Warning, "OpenAI key provider '{ProviderName}' could not refresh from {SourceName}: {Reason} Serving the last known good key {Fingerprint}; next attempt in {RetryDelay}.")]
    public static partial void RefreshFailedServingLastKnownGood(ILogger logger, string providerName, string sourceName, string reason, string fingerprint, TimeSpan retryDelay, Exception? exception);

    [LoggerMessage(4, LogLevel.Error, "OpenAI key provider '{ProviderName}' has no key: {Reason}")]
    public static partial void NoKey(ILogger logger, string providerName, string reason, Exception? exception);

    [LoggerMessage(5, LogLevel.Debug, "OpenAI key provider '{ProviderName}': {SourceName} has no key ({Reason}); trying the next source.")]
    public static partial void SourceHadNoKey(ILogger logger, string providerName, string sourceName, string reason);

    [LoggerMessage(6, LogLevel.Warning, "The key from {SourceName} was wrapped in quotes; they were removed. Store the bare key.")]
    public static partial void QuotesStripped(ILogger logger, string sourceName);

    [LoggerMessage(7, LogLevel.Warning, "The key from {SourceName} started with 'Bearer '; the prefix was removed. Store the bare key.")]
    public static partial void BearerPrefixStripped(ILogger logger, string sourceName);

    [LoggerMessage(8, LogLevel.Warning, "The key {Fingerprint} from {SourceName} is an admin key (sk-admin-), which is meant for the administration API, not for model requests. Use a project key.")]
    public static partial void AdminKey(ILogger logger, string sourceName, string fingerprint);

    [LoggerMessage(9, LogLevel.Warning, "The key {Fingerprint} from {SourceName} does not start with a known OpenAI prefix (sk-, sk-proj-, sk-svcacct-). It is used as is; check that it is an OpenAI key.")]
    public static partial void UnknownKeyShape(ILogger logger, string sourceName, string fingerprint);

    [LoggerMessage(10, LogLevel.Warning, "The key {Fingerprint} from {SourceName} expired at {ExpiresAt} according to the store. Put a new key in the store.")]
    public static partial void KeyExpired(ILogger logger, string sourceName, string fingerprint, DateTimeOffset expiresAt);

    [LoggerMessage(11, LogLevel.Error, "A change-token callback of OpenAI key provider '{ProviderName}' threw.")]
    public static partial void ChangeCallbackFailed(ILogger logger, string providerName, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "The .env file {FilePath} is readable by group or others (mode {Mode}). It holds a secret: restrict it with 'chmod 600 {FilePath}'.")]
    public static partial void DotEnvFileTooOpen(ILogger logger, string filePath, string mode);

    [LoggerMessage(13, LogLevel.Debug, "OpenAI key provider '{ProviderName}' re-read {SourceName}: key {Fingerprint} is unchanged.")]
    public static partial void KeyUnchanged(ILogger logger, string providerName, string sourceName, string fingerprint);

    [LoggerMessage(20, LogLevel.Debug, "{SourceName} reads the .env file {FilePath}.")]
    public static partial void DotEnvFileResolved(ILogger logger, string sourceName, string filePath);

    [LoggerMessage(21, LogLevel.Warning, "{SourceName}: {Warning} The health check reports Degraded while this value is served.")]
    public static partial void DotEnvValueSuspicious(ILogger logger, string sourceName, string warning);
}
