using KeyVaulting.AwsSecretsManager;
using KeyVaulting.AwsSecretsManager.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds AWS Secrets Manager to an <see cref="IOpenAIKeyProviderBuilder"/>.</summary>
public static class AwsSecretsManagerOpenAIKeyProviderBuilderExtensions
{
    /// <summary>
    /// Adds a secret of AWS Secrets Manager to the end of the chain. It is read with <c>GetSecretValue</c> on every
    /// refresh; the <c>AWSCURRENT</c> version by default, so a rotation is picked up on the next refresh. A missing
    /// secret falls through to the next source; any other error stops the chain and names the fix.
    /// </summary>
    /// <param name="builder">The provider builder.</param>
    /// <param name="secretId">The name or ARN of the secret, for example <c>prod/openai-api-key</c>.</param>
    /// <param name="configure">
    /// Configures the region, endpoint, credentials, version and JSON field. By default the AWS chains find the
    /// region and credentials, as for any AWS SDK client.
    /// </param>
    /// <returns>The builder, to add more sources.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <remarks>
    /// Requests go through the <see cref="System.Net.Http.IHttpClientFactory"/> client named
    /// <c>KeyVaulting.AwsSecretsManager</c>, which the application can configure further (proxy, handlers). The
    /// factory's default request logging is removed from it (it would log the session token and the signature), and
    /// it follows no redirect, whatever primary handler the application sets.
    /// </remarks>
    public static IOpenAIKeyProviderBuilder AddAwsSecretsManager(
        this IOpenAIKeyProviderBuilder builder, string secretId, Action<AwsSecretsManagerKeySourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretId);

        var options = StoreOptions.Configure(
            new AwsSecretsManagerKeySourceOptions { SecretId = secretId.Trim() },
            configure,
            $"{AwsSecretsManagerKeySource.TypeName}:{secretId.Trim()}",
            AwsSecretsManagerKeySourceFactory.Validators);
        var snapshot = options.Clone();

        StoreHttpClient.Register(builder.Services, AwsSecretsManagerKeySource.HttpClientName);
        builder.AddSourceFactory<AwsSecretsManagerKeySourceFactory>();
        return builder.AddSource(services => AwsSecretsManagerKeySourceFactory.Create(snapshot, services));
    }
}
