using System.Text.RegularExpressions;

namespace KeyVaulting.AwsSecretsManager.Internal.Validators;

/// <summary>
/// Checks a source's settings when it is added (code) or created (configuration), so mistakes fail at startup with
/// a message naming the setting. Values are never repeated.
/// </summary>
internal static partial class AwsSecretsManagerKeySourceOptionsValidator
{
    private const int MaxSecretIdLength = 2048;
    private const int MaxVersionStageLength = 256;
    private const int MinVersionIdLength = 32;
    private const int MaxVersionIdLength = 64;

    public static List<string> Validate(string? secretId, AwsSecretsManagerKeySourceOptions options)
    {
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(secretId))
        {
            errors.Add("SecretId is required: the name or ARN of the secret.");
        }
        else if (secretId.Trim().Length > MaxSecretIdLength)
        {
            errors.Add($"SecretId is longer than {MaxSecretIdLength} characters, the most Secrets Manager accepts.");
        }

        if (options.Region is { } region && !RegionName().IsMatch(region.Trim()))
        {
            errors.Add("Region must be an AWS region name such as us-east-1 (lower-case letters, digits and hyphens).");
        }

        if (options.ServiceUrl is { } serviceUrl)
        {
            if (!serviceUrl.IsAbsoluteUri || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add("ServiceUrl must be an absolute https:// (or http:// for local development) URL.");
            }
            else if (serviceUrl.AbsolutePath != "/" || serviceUrl.Query.Length > 0 || serviceUrl.Fragment.Length > 0 || serviceUrl.UserInfo.Length > 0)
            {
                errors.Add("ServiceUrl must have no path, query, fragment or user information: Secrets Manager is called at the root of its endpoint.");
            }
        }

        if (options.Profile is { } profile && string.IsNullOrWhiteSpace(profile))
        {
            errors.Add("Profile cannot be empty: leave it unset to use the default credential chain.");
        }

        if (options.Credentials is not null && !string.IsNullOrWhiteSpace(options.Profile))
        {
            errors.Add("Set Credentials or Profile, not both.");
        }

        if (string.IsNullOrWhiteSpace(options.VersionStage))
        {
            errors.Add($"VersionStage cannot be empty: leave it at its default, {AwsSecretsManagerKeySourceOptions.CurrentVersionStage}, to follow rotations.");
        }
        else if (options.VersionStage.Trim().Length > MaxVersionStageLength)
        {
            errors.Add($"VersionStage is longer than {MaxVersionStageLength} characters, the most Secrets Manager accepts.");
        }

        if (options.VersionId is { } versionId)
        {
            var length = versionId.Trim().Length;
            if (length is < MinVersionIdLength or > MaxVersionIdLength)
            {
                errors.Add($"VersionId must be {MinVersionIdLength} to {MaxVersionIdLength} characters long, as Secrets Manager's version ids are.");
            }

            if (!string.IsNullOrWhiteSpace(options.VersionStage)
                && !string.Equals(options.VersionStage.Trim(), AwsSecretsManagerKeySourceOptions.CurrentVersionStage, StringComparison.Ordinal))
            {
                errors.Add("Set VersionStage or VersionId, not both: VersionId pins one version, VersionStage follows a staging label.");
            }
        }

        if (options.JsonKey is { } jsonKey && string.IsNullOrWhiteSpace(jsonKey))
        {
            errors.Add("JsonKey cannot be empty: leave it unset when the whole secret is the key.");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z]{2,}(-[a-z0-9]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();
}
