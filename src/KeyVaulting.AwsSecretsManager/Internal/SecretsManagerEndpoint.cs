using Amazon;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>Where requests go, where that came from, and which region signs them.</summary>
internal sealed class SecretsManagerEndpoint(Uri uri, string origin, string region, string regionOrigin)
{
    /// <summary>The origin of the endpoint built from the region.</summary>
    public const string RegionalOrigin = "the region";

    public const string SigningName = "secretsmanager";

    public Uri Uri { get; } = uri;

    public string Origin { get; } = origin;

    public string Region { get; } = region;

    public string RegionOrigin { get; } = regionOrigin;

    /// <summary>
    /// The configured endpoint (<c>ServiceUrl</c>, or one from <see cref="AwsEndpointUrlResolver"/>) when there is one,
    /// else <c>https://secretsmanager.{region}.{partition DNS suffix}</c> (for example <c>amazonaws.com.cn</c> in China).
    /// </summary>
    public static SecretsManagerEndpoint Create((Uri Uri, string Origin)? configured, string region, string regionOrigin)
    {
        if (configured is { } endpoint)
        {
            return new SecretsManagerEndpoint(new Uri(endpoint.Uri, "/"), endpoint.Origin, region, regionOrigin);
        }

        var suffix = RegionEndpoint.GetBySystemName(region)?.PartitionDnsSuffix is { Length: > 0 } dns ? dns : "amazonaws.com";
        return new SecretsManagerEndpoint(new Uri($"https://{SigningName}.{region}.{suffix}/"), RegionalOrigin, region, regionOrigin);
    }
}
