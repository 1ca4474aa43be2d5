using Microsoft.Extensions.Logging;

namespace KeyVaulting.AwsSecretsManager.Diagnostics;

/// <summary>
/// Log messages of the AWS Secrets Manager package (event ids 200–299). No message takes a key, a secret value, a
/// secret access key or a session token, at any level.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Debug, "{SourceName}: using region {Region} (from {RegionOrigin}) and endpoint {Endpoint} (from {EndpointOrigin}).")]
    public static partial void EndpointResolved(ILogger logger, string sourceName, string region, string regionOrigin, Uri endpoint, string endpointOrigin);

    [LoggerMessage(201, LogLevel.Debug, "{SourceName}: GetSecretValue with {VersionSelector}, signed with {Credentials}.")]
    public static partial void Fetching(ILogger logger, string sourceName, string versionSelector, string credentials);

    [LoggerMessage(202, LogLevel.Debug, "{SourceName}: read version {VersionId} of the secret.")]
    public static partial void Fetched(ILogger logger, string sourceName, string? versionId);

    [LoggerMessage(203, LogLevel.Debug, "{SourceName}: Secrets Manager answered HTTP {StatusCode} {ErrorCode} (AWS request id {RequestId}).")]
    public static partial void ServiceError(ILogger logger, string sourceName, int statusCode, string? errorCode, string? requestId);

    [LoggerMessage(204, LogLevel.Warning, "{SourceName}: the Secrets Manager endpoint {Endpoint} (from {EndpointOrigin}) is plain HTTP to another machine: the secret travels unencrypted. Use https:// outside local development.")]
    public static partial void InsecureServiceUrl(ILogger logger, string sourceName, Uri endpoint, string endpointOrigin);
}
