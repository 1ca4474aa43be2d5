using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Diagnostics;

/// <summary>
/// Log messages of the OpenAI secrets plugin source (event ids 340–349). They name the key by its <c>api_key_id</c>
/// and never show the key, the lease id or a token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(340, LogLevel.Information, "{SourceName} read a new credential from Vault's OpenAI secrets plugin (key id {ApiKeyId}); its lease ends at {LeaseEndsAt} (renewable: {Renewable}).")]
    public static partial void CredentialRead(ILogger logger, string sourceName, string apiKeyId, DateTimeOffset leaseEndsAt, bool renewable);

    [LoggerMessage(341, LogLevel.Debug, "{SourceName} renewed the lease of key id {ApiKeyId}; it now ends at {LeaseEndsAt}.")]
    public static partial void LeaseRenewed(ILogger logger, string sourceName, string apiKeyId, DateTimeOffset leaseEndsAt);

    [LoggerMessage(342, LogLevel.Information, "The lease of key id {ApiKeyId} ({SourceName}) cannot be renewed further (not renewable, or capped by its max TTL); a new credential is read before it ends at {LeaseEndsAt}.")]
    public static partial void LeaseCannotBeExtended(ILogger logger, string sourceName, string apiKeyId, DateTimeOffset leaseEndsAt);

    [LoggerMessage(343, LogLevel.Warning, "Vault refused to renew the lease of key id {ApiKeyId} ({SourceName}): {Reason}. Reading a new credential. {Fix}")]
    public static partial void LeaseRenewalRefused(ILogger logger, string sourceName, string apiKeyId, string reason, string fix);

    [LoggerMessage(344, LogLevel.Warning, "{SourceName} could not renew the lease of key id {ApiKeyId} ({Reason}); it keeps serving the key, whose lease ends at {LeaseEndsAt}, and tries again on the next refresh.")]
    public static partial void LeaseRenewalFailed(ILogger logger, string sourceName, string apiKeyId, string reason, DateTimeOffset leaseEndsAt);

    [LoggerMessage(345, LogLevel.Information, "{SourceName} revoked the lease of key id {ApiKeyId}; Vault deletes its service account.")]
    public static partial void LeaseRevoked(ILogger logger, string sourceName, string apiKeyId);

    [LoggerMessage(346, LogLevel.Warning, "{SourceName} could not revoke the lease of key id {ApiKeyId} ({Reason}); Vault revokes it when it ends at {LeaseEndsAt}. Grant 'update' on sys/leases/revoke to revoke it at once.")]
    public static partial void LeaseRevocationFailed(ILogger logger, string sourceName, string apiKeyId, string reason, DateTimeOffset leaseEndsAt);
}
