using KeyVaulting.AwsSecretsManager.Internal;

namespace KeyVaulting.AwsSecretsManager;

/// <summary>
/// The write side of an AWS Secrets Manager secret, for automated rotation (package <c>KeyVaulting.Rotation</c>):
/// give the target to the rotation with
/// <c>services.AddOpenAIKeyRotation(…).UseTarget(sp =&gt; AwsSecretsManagerRotation.CreateTarget(sp, "prod/openai-api-key", o =&gt; o.JsonField = "api_key"))</c>,
/// or select it from configuration with <c>"Target": { "Type": "AwsSecretsManager", "SecretId": "prod/openai-api-key", "JsonField": "api_key" }</c>.
/// </summary>
/// <remarks>
/// The rotation uses Secrets Manager's own labels: a new key is put with <c>PutSecretValue</c>, a
/// <c>ClientRequestToken</c> (the rotation id) and <c>AWSPENDING</c>; the promotion moves <c>AWSCURRENT</c> with
/// <c>UpdateSecretVersionStage</c> (the replaced version gets <c>AWSPREVIOUS</c>), which the source follows. The
/// secret is JSON: the key in <c>JsonField</c>, its id in <c>keyvaulting</c>. The rotator's identity needs
/// <c>secretsmanager:GetSecretValue</c>, <c>DescribeSecret</c>, <c>PutSecretValue</c> and
/// <c>UpdateSecretVersionStage</c> on the secret.
/// </remarks>
public static class AwsSecretsManagerRotation
{
    /// <summary>Creates the rotation target of a secret, described with the source's options.</summary>
    /// <param name="services">The application's services (time, logging, the named HTTP client).</param>
    /// <param name="secretId">The name or ARN of the secret, for example <c>prod/openai-api-key</c>: the secret its source reads.</param>
    /// <param name="configure">
    /// Configures the region, endpoint and credentials as for the source, and <c>JsonField</c>, which is required: the
    /// key's id is kept beside the key in the JSON secret.
    /// </param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException">A setting is invalid, <c>JsonField</c> is not set, or a version is pinned.</exception>
    public static IOpenAIKeyRotationTarget CreateTarget(IServiceProvider services, string secretId, Action<AwsSecretsManagerKeySourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretId);
        var options = StoreOptions.Configure(
            new AwsSecretsManagerKeySourceOptions { SecretId = secretId.Trim() },
            configure,
            $"{AwsSecretsManagerKeySource.TypeName}:{secretId.Trim()}",
            AwsSecretsManagerKeySourceFactory.Validators);
        if (AwsSecretsManagerRotationTargetFactory.Problem(options) is { } problem)
        {
            throw new ArgumentException(problem, nameof(configure));
        }

        return AwsSecretsManagerRotationTargetFactory.Create(options.Clone(), services);
    }
}
