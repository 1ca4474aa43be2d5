using KeyVaulting.AwsSecretsManager.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// Reads the key from one secret of AWS Secrets Manager with a SigV4-signed <c>GetSecretValue</c> call, on every
/// fetch. By default it reads the <c>AWSCURRENT</c> version, so it follows rotations.
/// </summary>
internal sealed class AwsSecretsManagerKeySource : IOpenAIKeySource, IDisposable
{
    public const string TypeName = "AwsSecretsManager";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client that <c>AddAwsSecretsManager</c> registers.</summary>
    public const string HttpClientName = "KeyVaulting.AwsSecretsManager";

    private readonly string _secretId;
    private readonly string? _jsonField;
    private readonly SecretsManagerClient _client;
    private readonly SecretsManagerErrors _errors;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _versionId;
    private readonly string? _versionStage;
    private readonly string _versionSelector;

    public AwsSecretsManagerKeySource(AwsSecretsManagerKeySourceOptions options, IServiceProvider services, TimeProvider timeProvider, ILogger logger)
    {
        _secretId = options.SecretId!.Trim();
        _jsonField = options.JsonField;
        _time = timeProvider;
        _logger = logger;
        Name = $"{TypeName}:{_secretId}";
        _client = new SecretsManagerClient(Name, options, StoreHttpClient.Create(services, HttpClientName, Name, SecretsManagerClient.Endpoint), timeProvider, logger);

        // Version pins a version; the default stage is then not sent (Secrets Manager would require both to match).
        _versionId = string.IsNullOrWhiteSpace(options.Version) ? null : options.Version.Trim();
        _versionStage = _versionId is null ? (string.IsNullOrWhiteSpace(options.VersionStage) ? AwsSecretsManagerKeySourceOptions.CurrentVersionStage : options.VersionStage.Trim()) : null;
        _versionSelector = _versionId is not null ? $"version id {_versionId}" : $"staging label {_versionStage}";
        _errors = new SecretsManagerErrors(Name, _secretId, _versionSelector, _client.Credentials.Description);
    }

    public string Name { get; }

    public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        Log.Fetching(_logger, Name, _versionSelector, _client.Credentials.Description);
        var body = GetSecretValueOperation.CreateRequestBody(_secretId, _versionId, _versionStage);
        var (response, credentials) = await _client.SendAsync(GetSecretValueOperation.Target, body, cancellationToken).ConfigureAwait(false);

        // The answer holds the secret: disposing it clears the body.
        using (response)
        {
            if (response.IsSuccess)
            {
                var result = GetSecretValueOperation.ReadResponse(Name, response.Body, _jsonField);
                Log.Fetched(_logger, Name, result.Version);
                return result;
            }

            var error = AwsJsonError.Parse(response.Headers, response.Body);
            Log.ServiceError(_logger, Name, response.Status, error.Code, error.RequestId);
            return _errors.Map(response.StatusCode, error, credentials, response.RetryAfter, response.Headers.Date, _time.GetUtcNow());
        }
    }

    public void Dispose() => _client.Dispose();
}
