using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Diagnostics;

/// <summary>Log messages of the Key Vault rotation target (event ids 150–159). Version ids only, never a key.</summary>
internal static partial class Log
{
    [LoggerMessage(150, LogLevel.Debug, "{TargetName}: the rotation's {Change} wrote version {SecretVersion} of the secret.")]
    public static partial void RotationWritten(ILogger logger, string targetName, string change, string secretVersion);

    [LoggerMessage(151, LogLevel.Information, "{TargetName}: the rotation's {Change} was not kept: another rotator wrote first on version {SecretVersion}.")]
    public static partial void RotationWriteLost(ILogger logger, string targetName, string change, string? secretVersion);

    [LoggerMessage(152, LogLevel.Debug, "{TargetName}: disabled version {SecretVersion}, which held the revoked key.")]
    public static partial void RotationVersionDisabled(ILogger logger, string targetName, string secretVersion);

    [LoggerMessage(153, LogLevel.Warning, "{TargetName}: version {SecretVersion}, which held the revoked key, could not be disabled ({Status}); the rotator's identity needs the 'Key Vault Secrets Officer' role (or the set secret permission) to disable it.")]
    public static partial void RotationVersionNotDisabled(ILogger logger, string targetName, string secretVersion, string status);
}
