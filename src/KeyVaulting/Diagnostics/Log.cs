using Microsoft.Extensions.Logging;

namespace KeyVaulting.Diagnostics;

/// <summary>
/// Log messages of the core package (event ids 1–99). No message takes a key value, at any level: keys appear only
/// as fingerprints, and provider and source names are passed through <c>SecretShapes.MaskName</c> first.
/// </summary>
internal static partial class Log
{
    /// <summary>The <c>KeyVersion</c> of a key whose source keeps no versions (an environment variable, a .env file).</summary>
    public const string NoVersion = "none";

    [LoggerMessage(1, LogLevel.Information, "OpenAI key provider '{ProviderName}' loaded key {Fingerprint} from {SourceName} (version: {KeyVersion}).")]
    public static partial void KeyLoaded(ILogger logger, string providerName, string fingerprint, string sourceName, string keyVersion);

    [LoggerMessage(2, LogLevel.Information, "OpenAI key provider '{ProviderName}' rotated its key: {OldFingerprint} -> {NewFingerprint} from {SourceName} (version: {KeyVersion}).")]
    public static partial void KeyRotated(ILogger logger, string providerName, string oldFingerprint, string newFingerprint, string sourceName, string keyVersion);

    [LoggerMessage(3, LogLevel.Warning, "OpenAI key provider '{ProviderName}' could not refresh from {SourceName}: {Reason} Serving the last known good key {Fingerprint}; next attempt in {RetryDelay}.")]
    public static partial void RefreshFailedServingLastKnownGood(ILogger logger, string providerName, string sourceName, string reason, string fingerprint, TimeSpan retryDelay, Exception? exception);

    [LoggerMessage(4, LogLevel.Error, "OpenAI key provider '{ProviderName}' has no key: {Reason}")]
    public static partial void NoKey(ILogger logger, string providerName, string reason);

    [LoggerMessage(22, LogLevel.Warning, "OpenAI key provider '{ProviderName}' has {SourceName} {Count} times in its chain: AddOpenAIKeyProvider was probably called more than once with the same sources or configuration section. Each call appends to the same chain; register the provider once, or use a named provider for a second chain.")]
    public static partial void DuplicateSource(ILogger logger, string providerName, string sourceName, int count);

    [LoggerMessage(21, LogLevel.Debug, "OpenAI key provider '{ProviderName}' has no key; the failing source's exception follows.")]
    public static partial void NoKeyDetails(ILogger logger, string providerName, Exception exception);

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

    [LoggerMessage(14, LogLevel.Warning, "OpenAI key provider '{ProviderName}' stopped waiting for {SourceName} to be disposed after {Timeout} (SourceTimeout) and left it behind, so that the application can stop. Its disposal should end, or honour the host's shutdown.")]
    public static partial void SourceDisposalAbandoned(ILogger logger, string providerName, string sourceName, TimeSpan timeout);

    [LoggerMessage(15, LogLevel.Information, "OpenAI key provider '{ProviderName}': {SourceName} has ended a fetch that was abandoned after SourceTimeout; it is called again at the next refresh.")]
    public static partial void AbandonedFetchEnded(ILogger logger, string providerName, string sourceName);

    [LoggerMessage(16, LogLevel.Debug, "OpenAI key provider '{ProviderName}': {SourceName} is still running a fetch abandoned after SourceTimeout; waiting for it to end before calling the source again.")]
    public static partial void WaitingForAbandonedFetch(ILogger logger, string providerName, string sourceName);

    [LoggerMessage(20, LogLevel.Debug, "{SourceName} reads the .env file {FilePath}.")]
    public static partial void DotEnvFileResolved(ILogger logger, string sourceName, string filePath);

    [LoggerMessage(30, LogLevel.Information, "OpenAI rejected key {Fingerprint} of OpenAI key provider '{ProviderName}' from {SourceName} (error {ErrorCode}), and no source holds a newer key. Until one does, or a request succeeds with this key, the health check reports Unhealthy and the sources are re-read now, then every second, backing off to every {Interval}.")]
    public static partial void KeyRejected(ILogger logger, string providerName, string fingerprint, string sourceName, string errorCode, TimeSpan interval);

    [LoggerMessage(31, LogLevel.Information, "OpenAI key provider '{ProviderName}': key {Fingerprint} is no longer rejected: {Reason}. It was rejected for {Duration}, and {Requests} request(s) got 401 with it.")]
    public static partial void KeyRejectionEnded(ILogger logger, string providerName, string fingerprint, string reason, TimeSpan duration, long requests);

    [LoggerMessage(32, LogLevel.Debug, "{SourceName}: watching {FilePath} for changes; a save is read at once.")]
    public static partial void WatchingFile(ILogger logger, string sourceName, string filePath);

    [LoggerMessage(33, LogLevel.Information, "{SourceName}: cannot watch {FilePath} for changes ({Reason}); a change is read at the next refresh, and watching is tried again after it.")]
    public static partial void CannotWatchFile(ILogger logger, string sourceName, string filePath, string reason);

    [LoggerMessage(34, LogLevel.Debug, "{SourceName}: {FilePath} changed; reading the sources.")]
    public static partial void WatchedFileChanged(ILogger logger, string sourceName, string filePath);
    [LoggerMessage(23, LogLevel.Warning, "{SourceName}: {Warning} The health check reports Degraded while this value is served.")]
    public static partial void DotEnvValueSuspicious(ILogger logger, string sourceName, string warning);
}
