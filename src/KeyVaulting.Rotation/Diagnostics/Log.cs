using KeyVaulting.Rotation;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Rotation.Diagnostics;

/// <summary>
/// Log messages of the rotation package (event ids 500–599). No message takes a key value, at any level: keys appear
/// as fingerprints and OpenAI ids (<c>key_…</c>), the admin key not at all.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Information, "Rotation '{RotationName}' claimed rotation {RotationId} of {TargetName}.")]
    public static partial void Claimed(ILogger logger, string rotationName, string rotationId, string targetName);

    [LoggerMessage(501, LogLevel.Information, "Rotation '{RotationName}' minted key {Fingerprint} ({KeyId}, service account {ServiceAccountId}) named {KeyName}.")]
    public static partial void Minted(ILogger logger, string rotationName, string fingerprint, string? keyId, string? serviceAccountId, string keyName);

    [LoggerMessage(502, LogLevel.Information, "Rotation '{RotationName}' staged key {Fingerprint} ({KeyId}) in {TargetName}; it is not current yet.")]
    public static partial void Staged(ILogger logger, string rotationName, string fingerprint, string? keyId, string targetName);

    [LoggerMessage(503, LogLevel.Information, "Rotation '{RotationName}': OpenAI accepts the new key {Fingerprint}.")]
    public static partial void Tested(ILogger logger, string rotationName, string fingerprint);

    [LoggerMessage(504, LogLevel.Information, "Rotation '{RotationName}' promoted key {Fingerprint} ({KeyId}) in {TargetName}; the old key is revoked after {RevokeAt}.")]
    public static partial void Promoted(ILogger logger, string rotationName, string fingerprint, string? keyId, string targetName, DateTimeOffset revokeAt);

    [LoggerMessage(505, LogLevel.Information, "Rotation '{RotationName}' revoked key {KeyId} at OpenAI (already gone: {AlreadyGone}).")]
    public static partial void Revoked(ILogger logger, string rotationName, string keyId, bool alreadyGone);

    [LoggerMessage(506, LogLevel.Information, "Rotation '{RotationName}' completed: the replaced {PreviousKey} is revoked.")]
    public static partial void Completed(ILogger logger, string rotationName, string previousKey);

    [LoggerMessage(507, LogLevel.Information, "Rotation '{RotationName}' deleted service account {ServiceAccountId} and with it key {KeyId} (already gone: {AlreadyGone}).")]
    public static partial void ServiceAccountDeleted(ILogger logger, string rotationName, string serviceAccountId, string? keyId, bool alreadyGone);

    [LoggerMessage(510, LogLevel.Information, "Rotation '{RotationName}' stands down: another rotator claimed rotation {RotationId} at {StartedAt}.")]
    public static partial void StoodDown(ILogger logger, string rotationName, string rotationId, DateTimeOffset startedAt);

    [LoggerMessage(511, LogLevel.Information, "Rotation '{RotationName}': the store changed before the {Step} write (another rotator got there first); reading it again.")]
    public static partial void LostRace(ILogger logger, string rotationName, string step);

    [LoggerMessage(512, LogLevel.Warning, "Rotation '{RotationName}' abandons staged key {KeyId}: {Reason}. It is removed from the store and revoked.")]
    public static partial void Abandoned(ILogger logger, string rotationName, string? keyId, string reason);

    [LoggerMessage(513, LogLevel.Information, "Rotation '{RotationName}' revokes key {KeyId}, minted but not used: {Reason}.")]
    public static partial void RevokingUnusedKey(ILogger logger, string rotationName, string? keyId, string reason);

    [LoggerMessage(514, LogLevel.Warning, "Rotation '{RotationName}' could not revoke key {KeyId}: {Reason} It expires with its lifetime, or the next clean-up revokes it.")]
    public static partial void RevokeFailed(ILogger logger, string rotationName, string? keyId, string reason);

    [LoggerMessage(515, LogLevel.Warning, "Rotation '{RotationName}': OpenAI refused to delete key {KeyId} on its own; it expires with its lifetime ({KeyLifetime}) unless its service account is deleted.")]
    public static partial void RevokeRefused(ILogger logger, string rotationName, string keyId, TimeSpan keyLifetime);

    [LoggerMessage(516, LogLevel.Warning, "Rotation '{RotationName}': OpenAI refuses to delete a service account's key {KeyId} on its own (its older API); rotating into a new service account, after which the old account is deleted with its keys.")]
    public static partial void ServiceAccountFallback(ILogger logger, string rotationName, string? keyId);

    [LoggerMessage(517, LogLevel.Warning, "Rotation '{RotationName}': the key {TargetName} held before the rotation has no known OpenAI id (it was put there by hand), so it cannot be revoked automatically. Revoke it in the OpenAI dashboard; every key the rotator mints is revoked on its own.")]
    public static partial void PreviousKeyUnknown(ILogger logger, string rotationName, string targetName);

    [LoggerMessage(518, LogLevel.Warning, "Rotation '{RotationName}' revokes forgotten key {KeyId} ({KeyName}): {Reason}.")]
    public static partial void OrphanFound(ILogger logger, string rotationName, string keyId, string keyName, string reason);

    [LoggerMessage(519, LogLevel.Warning, "The OpenAI Admin API does not accept expires_in_seconds to {Operation}: the new key has no lifetime, and only the rotator's clean-up revokes it if it is ever forgotten.")]
    public static partial void KeyExpiryNotSupported(ILogger logger, string operation);

    [LoggerMessage(520, LogLevel.Debug, "Rotation '{RotationName}' could not refresh this application's key provider after the promotion ({ExceptionType}); it picks the key up on its own schedule.")]
    public static partial void ConsumerRefreshFailed(ILogger logger, string rotationName, string exceptionType);

    [LoggerMessage(521, LogLevel.Warning, "Rotation '{RotationName}': rotate now requested, revoking the old key {RevokeTiming}.")]
    public static partial void RotateNowRequested(ILogger logger, string rotationName, RevokeTiming revokeTiming);

    [LoggerMessage(522, LogLevel.Warning, "Rotation '{RotationName}': this application's key provider did not serve the promoted key {Fingerprint} within {Limit} (does its chain read another source first?); the key it replaced is revoked now as asked, and the provider recovers on the 401.")]
    public static partial void ConsumerNotCaughtUp(ILogger logger, string rotationName, string fingerprint, TimeSpan limit);

    [LoggerMessage(530, LogLevel.Debug, "Rotation '{RotationName}' {Run}: {Outcome}; next at {NextRunAt}.")]
    public static partial void RunFinished(ILogger logger, string rotationName, string run, OpenAIKeyRotationOutcome outcome, DateTimeOffset? nextRunAt);

    [LoggerMessage(531, LogLevel.Error, "Rotation '{RotationName}' {Run} failed at step {Step}: {Reason}")]
    public static partial void RunFailed(ILogger logger, string rotationName, string run, string step, string reason, Exception exception);

    [LoggerMessage(532, LogLevel.Debug, "OpenAI Admin API: {Operation} answered HTTP {StatusCode} in {Duration}.")]
    public static partial void AdminCall(ILogger logger, string operation, int statusCode, TimeSpan duration);

    [LoggerMessage(533, LogLevel.Debug, "Rotation '{RotationName}' runs again at {NextRunAt}.")]
    public static partial void NextRun(ILogger logger, string rotationName, DateTimeOffset nextRunAt);

    [LoggerMessage(540, LogLevel.Information, "{TargetName}: rewrote the key's line of {FilePath} ({Change}); every other byte and the file's permissions were kept.")]
    public static partial void DotEnvRewritten(ILogger logger, string targetName, string filePath, string change);
}
