using System.Net.Http.Headers;
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

    /// <summary>How Secrets Manager is named in the shared HTTP client's messages.</summary>
    public static readonly StoreEndpoint Endpoint = new(
        "Secrets Manager",
        "ServiceUrl",
        "Check the machine's trusted root certificates and any TLS-inspecting proxy between this application and AWS.",
        "Secrets Manager never redirects: check ServiceUrl and any proxy between this application and AWS.");

    private static readonly MediaTypeHeaderValue JsonContentType = new(GetSecretValueOperation.ContentType);
    private static readonly ProductInfoHeaderValue UserAgent = new("KeyVaulting.AwsSecretsManager", typeof(AwsSecretsManagerKeySource).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly string _secretId;
    private readonly AwsSecretsManagerKeySourceOptions _options;
    private readonly AwsCredentialsProvider _credentials;
    private readonly SecretsManagerErrors _errors;
    private readonly StoreHttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _versionId;
    private readonly string? _versionStage;
    private readonly string _versionSelector;
    private SecretsManagerEndpoint? _endpoint;

    public AwsSecretsManagerKeySource(AwsSecretsManagerKeySourceOptions options, IServiceProvider services, TimeProvider timeProvider, ILogger logger)
    {
        var secretId = options.SecretId!.Trim();
        _secretId = secretId;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        Name = $"{TypeName}:{secretId}";
        _http = StoreHttpClient.Create(services, HttpClientName, Name, Endpoint);

        // Version pins a version; the default stage is then not sent (Secrets Manager would require both to match).
        _versionId = string.IsNullOrWhiteSpace(options.Version) ? null : options.Version.Trim();
        _versionStage = _versionId is null ? (string.IsNullOrWhiteSpace(options.VersionStage) ? AwsSecretsManagerKeySourceOptions.CurrentVersionStage : options.VersionStage.Trim()) : null;
        _versionSelector = _versionId is not null ? $"version id {_versionId}" : $"staging label {_versionStage}";

        _credentials = new AwsCredentialsProvider(Name, options.Credentials, options.Profile);
        _errors = new SecretsManagerErrors(Name, secretId, _versionSelector, _credentials.Description);
    }

    public string Name { get; }

    public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        var endpoint = ResolveEndpoint();
        var credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        Log.Fetching(_logger, Name, _versionSelector, _credentials.Description);

        var body = GetSecretValueOperation.CreateRequestBody(_secretId, _versionId, _versionStage);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", GetSecretValueOperation.Target);
        request.Headers.UserAgent.Add(UserAgent);
        SigV4Signer.Sign(request, body, credentials.Values, endpoint.Region, SecretsManagerEndpoint.SigningName, _time.GetUtcNow());

        // The answer holds the secret: disposing it clears the body.
        using var response = await _http.SendAsync(request, "GetSecretValue", cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            var result = GetSecretValueOperation.ReadResponse(Name, response.Body, _options.JsonField);
            Log.Fetched(_logger, Name, result.Version);
            return result;
        }

        var error = AwsJsonError.Parse(response.Headers, response.Body);
        Log.ServiceError(_logger, Name, response.Status, error.Code, error.RequestId);
        return _errors.Map(response.StatusCode, error, credentials, response.RetryAfter, response.Headers.Date, _time.GetUtcNow());
    }

    public void Dispose() => _http.Dispose();

    private SecretsManagerEndpoint ResolveEndpoint()
    {
        if (Volatile.Read(ref _endpoint) is { } known)
        {
            return known;
        }

        var region = AwsRegionResolver.Resolve(_options.Region, _options.Profile)
            ?? throw new OpenAIKeySourceException(
                Name,
                "No AWS region is configured. Set the source's Region (for example \"us-east-1\"), the AWS_REGION environment variable, " +
                "or region in the AWS profile in use.",
                isTransient: false);

        var endpoint = SecretsManagerEndpoint.Create(_options.ServiceUrl, region.Region, region.Origin);
        Log.EndpointResolved(_logger, Name, endpoint.Region, endpoint.RegionOrigin, endpoint.Uri);
        if (endpoint.Uri.Scheme == Uri.UriSchemeHttp && !endpoint.Uri.IsLoopback)
        {
            Log.InsecureServiceUrl(_logger, Name, endpoint.Uri);
        }

        return Interlocked.CompareExchange(ref _endpoint, endpoint, null) ?? endpoint;
    }
}
