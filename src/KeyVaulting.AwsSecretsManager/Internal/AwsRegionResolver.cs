using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// Finds the AWS region the way the AWS SDKs and CLI do: the configured one, the named profile's, the
/// <c>AWS_REGION</c> and <c>AWS_DEFAULT_REGION</c> variables, then AWSSDK.Core's fallback chain (the active profile of
/// the shared config file, EC2 instance metadata).
/// </summary>
internal static class AwsRegionResolver
{
    public const string RegionVariable = "AWS_REGION";
    public const string DefaultRegionVariable = "AWS_DEFAULT_REGION";

    /// <summary>Returns the region and where it came from, or <see langword="null"/> when no source names one.</summary>
    public static (string Region, string Origin)? Resolve(string? configured, string? profile)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return (configured.Trim(), "setting Region");
        }

        if (!string.IsNullOrWhiteSpace(profile)
            && new CredentialProfileStoreChain().TryGetProfile(profile.Trim(), out var named)
            && named.Region is { } profileRegion)
        {
            return (profileRegion.SystemName, $"profile '{profile.Trim()}'");
        }

        // AWSSDK.Core 4 reads only AWS_REGION and caches its answer for the process; the CLI also honours
        // AWS_DEFAULT_REGION. Reading both here first keeps a changed variable effective.
        foreach (var variable in (string[])[RegionVariable, DefaultRegionVariable])
        {
            if (Environment.GetEnvironmentVariable(variable) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), $"environment variable {variable}");
            }
        }

        try
        {
            if (FallbackRegionFactory.GetRegionEndpoint() is { } fallback)
            {
                return (fallback.SystemName, "the AWS SDK's region chain (shared config file or EC2 instance metadata)");
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or AmazonClientException or IOException)
        {
            // No region anywhere: the caller explains how to set one.
        }

        return null;
    }
}
