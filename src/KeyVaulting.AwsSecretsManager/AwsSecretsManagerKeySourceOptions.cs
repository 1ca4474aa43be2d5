using System.ComponentModel.DataAnnotations;
using Amazon.Runtime;

namespace KeyVaulting.AwsSecretsManager;

/// <summary>
/// Options of the AWS Secrets Manager key source (configuration <c>Type</c>: <c>AwsSecretsManager</c>): which secret
/// and version, where it lives, and which AWS credentials sign the request.
/// </summary>
/// <remarks>
/// Every setting but <see cref="SecretId"/> is optional. With none, the source reads the <c>AWSCURRENT</c> version of
/// the secret in the region and with the credentials that the AWS default chains find, exactly as an AWS SDK client
/// would. From configuration, every setting but <see cref="Credentials"/> is read from the source's section;
/// credentials come from the AWS chain, a named <see cref="Profile"/>, or named options whose name is the source's
/// key: <c>services.Configure&lt;AwsSecretsManagerKeySourceOptions&gt;("Aws", o =&gt; o.Credentials = …)</c>.
/// </remarks>
public sealed class AwsSecretsManagerKeySourceOptions
{
    /// <summary>The staging label Secrets Manager moves to the new version when a rotation finishes.</summary>
    internal const string CurrentVersionStage = "AWSCURRENT";

    /// <summary>Gets or sets the name or ARN of the secret, for example <c>prod/openai-api-key</c>.</summary>
    [Required]
    public string? SecretId { get; set; }

    /// <summary>
    /// Gets or sets the AWS region of the secret, for example <c>us-east-1</c>. Default: the AWS chain, in order the
    /// region of <see cref="Profile"/>, the <c>AWS_REGION</c> and <c>AWS_DEFAULT_REGION</c> environment variables, the
    /// region of the active profile in the shared config file, then EC2 instance metadata.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// Gets or sets the endpoint to call instead of <c>https://secretsmanager.{region}.amazonaws.com</c>, for example a
    /// VPC interface endpoint or LocalStack. It must be an absolute <c>https://</c> (or, for local development,
    /// <c>http://</c>) URL with no path. The region is still needed: it is part of the signature. When it is not set,
    /// the AWS SDKs' endpoint settings apply: <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>, <c>AWS_ENDPOINT_URL</c>, the
    /// profile's <c>services</c> section and <c>endpoint_url</c> (unless <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is
    /// true), then the regional endpoint.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// Gets or sets the credentials that sign the requests (code only). Default: the AWS default credential chain
    /// (environment variables, web identity for EKS, the shared credentials and config files with SSO and assume-role
    /// profiles, ECS task role, EC2 instance profile).
    /// </summary>
    /// <remarks>
    /// The credentials are asked for on every request, so temporary credentials are renewed by the AWS SDK before they
    /// expire. Set either this or <see cref="Profile"/>, not both.
    /// </remarks>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>
    /// Gets or sets the name of a profile in the shared credentials and config files (<c>~/.aws/credentials</c>,
    /// <c>~/.aws/config</c>, or the files named by <c>AWS_SHARED_CREDENTIALS_FILE</c> and <c>AWS_CONFIG_FILE</c>) whose
    /// credentials, and region unless <see cref="Region"/> is set, are used. Default: the default chain, which honours
    /// <c>AWS_PROFILE</c>.
    /// </summary>
    public string? Profile { get; set; }

    /// <summary>
    /// Gets or sets the staging label of the version to read. Default: <c>AWSCURRENT</c>, which Secrets Manager moves
    /// to the new version when a rotation finishes, so the source follows rotations. Set <c>AWSPREVIOUS</c> or a custom
    /// label to read another version; leave the default when <see cref="Version"/> is set.
    /// </summary>
    public string VersionStage { get; set; } = CurrentVersionStage;

    /// <summary>
    /// Gets or sets the id of one version to read (Secrets Manager's <c>VersionId</c>), which pins the key: rotations
    /// are not followed. Leave <see cref="VersionStage"/> at its default when this is set.
    /// </summary>
    public string? Version { get; set; }

    /// <summary>
    /// Gets or sets the field that holds the key when the secret is a JSON object such as <c>{"apiKey": "sk-…"}</c>
    /// (the shape the AWS console creates for key/value secrets). Case-sensitive. Default: none, the whole secret is
    /// the key.
    /// </summary>
    public string? JsonField { get; set; }

    /// <summary>Copies the options, so that changing them after the source is added has no effect.</summary>
    internal AwsSecretsManagerKeySourceOptions Clone() => (AwsSecretsManagerKeySourceOptions)MemberwiseClone();
}
