using System.ComponentModel.DataAnnotations;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// The configuration keys of <c>Type: AwsSecretsManager</c>. There is deliberately no key for credentials: they come
/// from the AWS chain or a named profile, never from application settings.
/// </summary>
internal sealed class AwsSecretsManagerKeySourceSettings
{
    /// <summary>Gets or sets the name or ARN of the secret.</summary>
    [Required]
    public string? SecretId { get; set; }

    /// <summary>Gets or sets the region; see <see cref="AwsSecretsManagerKeySourceOptions.Region"/>.</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets the endpoint; see <see cref="AwsSecretsManagerKeySourceOptions.ServiceUrl"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Gets or sets the profile; see <see cref="AwsSecretsManagerKeySourceOptions.Profile"/>.</summary>
    public string? Profile { get; set; }

    /// <summary>Gets or sets the staging label; see <see cref="AwsSecretsManagerKeySourceOptions.VersionStage"/>.</summary>
    public string VersionStage { get; set; } = AwsSecretsManagerKeySourceOptions.CurrentVersionStage;

    /// <summary>Gets or sets the version id; see <see cref="AwsSecretsManagerKeySourceOptions.VersionId"/>.</summary>
    public string? VersionId { get; set; }

    /// <summary>Gets or sets the JSON property; see <see cref="AwsSecretsManagerKeySourceOptions.JsonKey"/>.</summary>
    public string? JsonKey { get; set; }
}
