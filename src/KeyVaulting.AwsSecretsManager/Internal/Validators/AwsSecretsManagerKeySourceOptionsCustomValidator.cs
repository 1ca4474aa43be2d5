using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace KeyVaulting.AwsSecretsManager.Internal.Validators;

/// <summary>
/// Validates the rules of <see cref="AwsSecretsManagerKeySourceOptions"/> that DataAnnotations cannot express:
/// Secrets Manager's limits, the endpoint's shape, names that look like a secret, and settings that exclude each
/// other. Values are never repeated.
/// </summary>
internal sealed partial class AwsSecretsManagerKeySourceOptionsCustomValidator : IValidateOptions<AwsSecretsManagerKeySourceOptions>
{
    public static readonly AwsSecretsManagerKeySourceOptionsCustomValidator Instance = new();

    private const int MaxSecretIdLength = 2048;
    private const int MaxVersionStageLength = 256;
    private const int MinVersionLength = 32;
    private const int MaxVersionLength = 64;

    public ValidateOptionsResult Validate(string? name, AwsSecretsManagerKeySourceOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        if (options.SecretId is { } secretId)
        {
            if (string.IsNullOrWhiteSpace(secretId))
            {
                builder.AddError("SecretId is required: the name or ARN of the secret.");
            }
            else if (secretId.Trim().Length > MaxSecretIdLength)
            {
                builder.AddError($"SecretId is longer than {MaxSecretIdLength} characters, the most Secrets Manager accepts.");
            }
            else if (SecretNames.LooksLikeSecret(secretId))
            {
                builder.AddError("SecretId looks like an OpenAI key, not a secret's name or ARN; it is not repeated. Give the name of the secret that holds the key.");
            }
        }

        if (options.Region is { } region && !RegionName().IsMatch(region.Trim()))
        {
            builder.AddError("Region must be an AWS region name such as us-east-1 (lower-case letters, digits and hyphens).");
        }

        if (options.ServiceUrl is { } serviceUrl)
        {
            if (!serviceUrl.IsAbsoluteUri || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp))
            {
                builder.AddError("ServiceUrl must be an absolute https:// (or http:// for local development) URL.");
            }
            else if (serviceUrl.AbsolutePath != "/" || serviceUrl.Query.Length > 0 || serviceUrl.Fragment.Length > 0 || serviceUrl.UserInfo.Length > 0)
            {
                builder.AddError("ServiceUrl must have no path, query, fragment or user information: Secrets Manager is called at the root of its endpoint.");
            }
        }

        if (options.Profile is { } profile && string.IsNullOrWhiteSpace(profile))
        {
            builder.AddError("Profile cannot be empty: leave it unset to use the default credential chain.");
        }

        if (options.Credentials is not null && !string.IsNullOrWhiteSpace(options.Profile))
        {
            builder.AddError("Set Credentials or Profile, not both.");
        }

        var defaultStage = string.Equals(options.VersionStage?.Trim(), AwsSecretsManagerKeySourceOptions.CurrentVersionStage, StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(options.VersionStage))
        {
            builder.AddError($"VersionStage cannot be empty: leave it at its default, {AwsSecretsManagerKeySourceOptions.CurrentVersionStage}, to follow rotations.");
        }
        else if (options.VersionStage.Trim().Length > MaxVersionStageLength)
        {
            builder.AddError($"VersionStage is longer than {MaxVersionStageLength} characters, the most Secrets Manager accepts.");
        }

        if (options.Version is { } version)
        {
            if (version.Trim().Length is < MinVersionLength or > MaxVersionLength)
            {
                builder.AddError($"Version must be {MinVersionLength} to {MaxVersionLength} characters long, as Secrets Manager's version ids are.");
            }

            if (!string.IsNullOrWhiteSpace(options.VersionStage) && !defaultStage)
            {
                builder.AddError("Set VersionStage or Version, not both: Version pins one version, VersionStage follows a staging label.");
            }
        }

        if (options.JsonField is { } field && (string.IsNullOrWhiteSpace(field) || SecretNames.LooksLikeSecret(field)))
        {
            builder.AddError("JsonField must name a JSON field (it is empty or looks like a secret, which is not repeated): leave it unset when the whole secret is the key.");
        }

        return builder.Build();
    }

    [GeneratedRegex("^[a-z]{2,}(-[a-z0-9]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();
}
