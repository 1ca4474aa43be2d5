using System.Buffers;
using System.Net.Http.Headers;
using KeyVaulting.AwsSecretsManager.Diagnostics;
using KeyVaulting.AwsSecretsManager.Internal;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AwsSecretsManager;

/// <summary>
/// Reads the key from one secret of AWS Secrets Manager with a SigV4-signed <c>GetSecretValue</c> call, on every
/// fetch. By default it reads the <c>AWSCURRENT</c> version, so it follows rotations.
/// </summary>
internal sealed class AwsSecretsManagerKeySource : IOpenAIKeySource
{
    public const string TypeName = "AwsSecretsManager";

    /// <summary>
    /// The largest answer read: Secrets Manager's largest secret (64 KiB, base64-encoded when binary) with room for
    /// JSON escaping and metadata. Anything larger is not a Secrets Manager answer.
    /// </summary>
    public const int MaxResponseBytes = 256 * 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new(GetSecretValueOperation.ContentType);
    private static readonly ProductInfoHeaderValue UserAgent = new("KeyVaulting.AwsSecretsManager", typeof(AwsSecretsManagerKeySource).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly string _secretId;
    private readonly AwsSecretsManagerKeySourceOptions _options;
    private readonly AwsCredentialsProvider _credentials;
    private readonly SecretsManagerErrors _errors;
    private readonly Func<HttpClient> _httpClient;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _versionId;
    private readonly string? _versionStage;
    private readonly string _versionSelector;
    private SecretsManagerEndpoint? _endpoint;

    public AwsSecretsManagerKeySource(string secretId, AwsSecretsManagerKeySourceOptions options, Func<HttpClient> httpClient, TimeProvider timeProvider, ILogger logger)
    {
        _secretId = secretId;
        _options = options;
        _httpClient = httpClient;
        _time = timeProvider;
        _logger = logger;
        Name = $"{TypeName}:{secretId}";

        // VersionId pins a version; the default stage is then not sent (Secrets Manager would require both to match).
        _versionId = string.IsNullOrWhiteSpace(options.VersionId) ? null : options.VersionId.Trim();
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

        HttpResponseMessage response;
        try
        {
            response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new OpenAIKeySourceException(
                Name,
                $"{Name}: Secrets Manager at {endpoint.Uri} could not be reached: {ex.Message.TrimEnd('.')}. Retrying later; check the network, DNS, proxy and ServiceUrl if it persists.",
                isTransient: true,
                innerException: ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenAIKeySourceException(Name, $"{Name}: Secrets Manager at {endpoint.Uri} did not answer in time (HttpClient timeout). Retrying later.", isTransient: true, innerException: ex);
        }

        using (response)
        {
            byte[] payload;
            try
            {
                payload = await ReadBodyAsync(response, endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw new OpenAIKeySourceException(
                    Name,
                    $"{Name}: the connection to Secrets Manager at {endpoint.Uri} broke while reading its answer (HTTP {(int)response.StatusCode}). Retrying later.",
                    isTransient: true,
                    innerException: ex);
            }

            try
            {
                if (response.IsSuccessStatusCode)
                {
                    var result = GetSecretValueOperation.ReadResponse(Name, payload, _options.JsonKey);
                    Log.Fetched(_logger, Name, result.Version);
                    return result;
                }

                var error = AwsJsonError.Parse(response.Headers, payload);
                Log.ServiceError(_logger, Name, (int)response.StatusCode, error.Code, error.RequestId);
                return _errors.Map(response.StatusCode, error, credentials, RetryAfter(response), response.Headers.Date, _time.GetUtcNow());
            }
            finally
            {
                // The answer holds the secret: do not leave it in memory longer than needed.
                Array.Clear(payload);
            }
        }
    }

    private SecretsManagerEndpoint ResolveEndpoint()
    {
        if (Volatile.Read(ref _endpoint) is { } known)
        {
            return known;
        }

        var region = AwsRegionResolver.Resolve(_options.Region, _options.Profile)
            ?? throw new OpenAIKeySourceException(
                Name,
                $"{Name}: no AWS region is configured. Set the source's Region (for example \"us-east-1\"), the AWS_REGION environment variable, " +
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

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, SecretsManagerEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw TooLarge(response, endpoint);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(MaxResponseBytes + 1);
            try
            {
                var length = 0;
                int read;
                while (length <= MaxResponseBytes
                       && (read = await stream.ReadAsync(buffer.AsMemory(length, MaxResponseBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                if (length > MaxResponseBytes)
                {
                    throw TooLarge(response, endpoint);
                }

                return buffer[..length];
            }
            finally
            {
                Array.Clear(buffer);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private OpenAIKeySourceException TooLarge(HttpResponseMessage response, SecretsManagerEndpoint endpoint)
        => new(
            Name,
            $"{Name}: the answer of {endpoint.Uri} (HTTP {(int)response.StatusCode}) is larger than {MaxResponseBytes / 1024} KiB, which no Secrets Manager " +
            "answer is; it was not read. Check ServiceUrl and any proxy between this application and AWS.",
            isTransient: (int)response.StatusCode >= 500);

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - _time.GetUtcNow() : null);
        return wait is { } w && w > TimeSpan.Zero ? w : (wait is null ? null : TimeSpan.Zero);
    }
}
