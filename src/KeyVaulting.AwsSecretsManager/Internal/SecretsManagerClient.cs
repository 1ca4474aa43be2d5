using System.Net.Http.Headers;
using KeyVaulting.AwsSecretsManager.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AwsSecretsManager.Internal;

/// <summary>
/// The Secrets Manager JSON protocol (<c>awsJson1_1</c>) on the shared store HTTP client: the endpoint and region are
/// resolved once, and every request is signed (SigV4) with the credentials of the moment. An operation is a target
/// and a JSON body: <c>GetSecretValue</c> today; a write such as <c>PutSecretValue</c> is the same call.
/// </summary>
internal sealed class SecretsManagerClient : IDisposable
{
    /// <summary>How Secrets Manager is named in the shared HTTP client's messages.</summary>
    public static readonly StoreEndpoint Endpoint = new(
        "Secrets Manager",
        "ServiceUrl",
        "Check the machine's trusted root certificates and any TLS-inspecting proxy between this application and AWS.",
        "Secrets Manager never redirects: check ServiceUrl and any proxy between this application and AWS.");

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.1");
    private static readonly ProductInfoHeaderValue UserAgent = new("KeyVaulting.AwsSecretsManager", typeof(SecretsManagerClient).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly string _sourceName;
    private readonly AwsSecretsManagerKeySourceOptions _options;
    private readonly StoreHttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private SecretsManagerEndpoint? _endpoint;

    public SecretsManagerClient(string sourceName, AwsSecretsManagerKeySourceOptions options, StoreHttpClient http, TimeProvider time, ILogger logger)
    {
        _sourceName = sourceName;
        _options = options;
        _http = http;
        _time = time;
        _logger = logger;
        Credentials = new AwsCredentialsProvider(sourceName, options.Credentials, options.Profile);
    }

    /// <summary>Gets the credentials that sign the requests.</summary>
    public AwsCredentialsProvider Credentials { get; }

    /// <summary>Signs and sends one operation; the caller disposes the answer, which may hold a secret.</summary>
    /// <param name="target">The operation, for example <c>secretsmanager.GetSecretValue</c>.</param>
    /// <param name="body">The operation's JSON body.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The answer, whatever its status, and the credentials that signed the request.</returns>
    /// <exception cref="OpenAIKeySourceException">No region, no credentials, or the endpoint could not be reached.</exception>
    public async Task<(StoreHttpResponse Response, ResolvedAwsCredentials Credentials)> SendAsync(string target, byte[] body, CancellationToken cancellationToken)
    {
        var endpoint = ResolveEndpoint();
        var credentials = await Credentials.GetAsync(cancellationToken).ConfigureAwait(false);

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.UserAgent.Add(UserAgent);
        AwsRequestSigner.Sign(request, body, credentials.Values, endpoint.Region, SecretsManagerEndpoint.SigningName, _time.GetUtcNow());

        var response = await _http.SendAsync(request, target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..], cancellationToken).ConfigureAwait(false);
        return (response, credentials);
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
                _sourceName,
                "No AWS region is configured. Set the source's Region (for example \"us-east-1\"), the AWS_REGION environment variable, " +
                "or region in the AWS profile in use.",
                isTransient: false);

        var endpoint = SecretsManagerEndpoint.Create(ConfiguredEndpoint(), region.Region, region.Origin);
        Log.EndpointResolved(_logger, _sourceName, endpoint.Region, endpoint.RegionOrigin, endpoint.Uri, endpoint.Origin);
        if (endpoint.Uri.Scheme == Uri.UriSchemeHttp && !endpoint.Uri.IsLoopback)
        {
            Log.InsecureServiceUrl(_logger, _sourceName, endpoint.Uri, endpoint.Origin);
        }

        return Interlocked.CompareExchange(ref _endpoint, endpoint, null) ?? endpoint;
    }

    /// <summary>The source's <c>ServiceUrl</c>, else an endpoint the AWS environment variables or shared config file set.</summary>
    private (Uri Uri, string Origin)? ConfiguredEndpoint()
    {
        if (_options.ServiceUrl is { } serviceUrl)
        {
            return (serviceUrl, "setting ServiceUrl");
        }

        try
        {
            return AwsEndpointUrlResolver.Resolve(_options.Profile);
        }
        catch (FormatException ex)
        {
            throw new OpenAIKeySourceException(_sourceName, ex.Message, isTransient: false);
        }
    }
}
