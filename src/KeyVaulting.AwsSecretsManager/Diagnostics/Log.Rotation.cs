using Microsoft.Extensions.Logging;

namespace KeyVaulting.AwsSecretsManager.Diagnostics;

/// <summary>Log messages of the Secrets Manager rotation target (event ids 250–259). Version ids and labels only, never a key.</summary>
internal static partial class Log
{
    [LoggerMessage(250, LogLevel.Debug, "{TargetName}: the rotation's {Change} put version {VersionId} with AWSPENDING.")]
    public static partial void RotationWritten(ILogger logger, string targetName, string change, string versionId);

    [LoggerMessage(251, LogLevel.Debug, "{TargetName}: moved {VersionStage} from version {FromVersionId} to version {ToVersionId}.")]
    public static partial void RotationLabelMoved(ILogger logger, string targetName, string versionStage, string? fromVersionId, string? toVersionId);

    [LoggerMessage(252, LogLevel.Information, "{TargetName}: the rotation's {Change} was not written: {Reason}; another rotator got there first.")]
    public static partial void RotationWriteLost(ILogger logger, string targetName, string change, string reason);

    [LoggerMessage(253, LogLevel.Warning, "{TargetName}: {VersionStage} could not be removed from the promoted version {VersionId}; it is ignored there and removed by the next rotation.")]
    public static partial void RotationLabelLeft(ILogger logger, string targetName, string versionStage, string versionId);
}
