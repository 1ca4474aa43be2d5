using Amazon;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>Where requests go and which region signs them.</summary>
internal sealed class SecretsManagerEndpoint(Uri uri, string region, string regionOrigin)
{
    public const string SigningName = "secretsmanager";

    public Uri Uri { get; } = uri;

    public string Region { get; } = region;

    public string RegionOrigin { get; } = regionOrigin;

    /// <summary>
    /// <c>ServiceUrl</c> when set, else <c>https://secretsmanager.{region}.{partition DNS suffix}</c> (for example
    /// <c>amazonaws.com.cn</c> in China).
    /// </summary>
    public static SecretsManagerEndpoint Create(Uri? serviceUrl, string region, string regionOrigin)
    {
        if (serviceUrl is not null)
        {
            return new SecretsManagerEndpoint(new Uri(serviceUrl, "/"), region, regionOrigin);
        }

        var suffix = RegionEndpoint.GetBySystemName(region)?.PartitionDnsSuffix is { Length: > 0 } dns ? dns : "amazonaws.com";
        return new SecretsManagerEndpoint(new Uri($"https://{SigningName}.{region}.{suffix}/"), region, regionOrigin);
    }
}
