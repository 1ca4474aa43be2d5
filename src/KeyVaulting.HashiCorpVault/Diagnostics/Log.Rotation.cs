using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Diagnostics;

/// <summary>Log messages of the KV version 2 rotation target (event ids 330–339). Versions and ids only, never a key.</summary>
internal static partial class Log
{
    [LoggerMessage(330, LogLevel.Debug, "{TargetName}: the rotation's {Change} wrote version {KvVersion} of the secret (check-and-set).")]
    public static partial void RotationWritten(ILogger logger, string targetName, string change, long? kvVersion);

    [LoggerMessage(331, LogLevel.Information, "{TargetName}: the rotation's {Change} was not written: the secret is no longer at version {KvVersion} (check-and-set); another rotator wrote first.")]
    public static partial void RotationWriteLost(ILogger logger, string targetName, string change, string? kvVersion);
}
