using System.Globalization;
using System.Security.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;

namespace KeyVaulting.Shared;

/// <summary>
/// The HTTP client of a store that KeyVaulting calls over HTTP itself (AWS Secrets Manager, HashiCorp Vault): the
/// application's named <see cref="IHttpClientFactory"/> client when the store's <c>Add…</c> registered it, else an
/// <see cref="HttpClient"/> of its own. Either way it logs no header or body, follows no redirect (whatever the
/// application configures), reads at most <see cref="MaxResponseBytes"/> of an answer, and turns every transport
/// failure into an <see cref="OpenAIKeySourceException"/> that names the store, its address and the fix.
/// Compiled into the store packages from src/Shared.
/// </summary>
internal sealed class StoreHttpClient : IDisposable
{
    /// <summary>The most read of an answer: far more than any store's answer holding an API key.</summary>
    public const int MaxResponseBytes = 256 * 1024;

    private readonly Func<HttpClient> _client;
    private readonly HttpClient? _owned;
    private readonly string _sourceName;
    private readonly StoreEndpoint _endpoint;
    private readonly TimeProvider _time;

    private StoreHttpClient(Func<HttpClient> client, HttpClient? owned, string description, string sourceName, StoreEndpoint endpoint, TimeProvider time)
    {
        _client = client;
        _owned = owned;
        Description = description;
        _sourceName = sourceName;
        _endpoint = endpoint;
        _time = time;
    }

    /// <summary>Gets which client this is, for logs: <c>the IHttpClientFactory client 'KeyVaulting.HashiCorpVault'</c>.</summary>
    public string Description { get; }

    /// <summary>
    /// Registers the named client, once: without the factory's request logging (its structured state carries header
    /// values raw, tokens included), and without redirects, enforced after every other configuration of the client.
    /// </summary>
    public static void Register(IServiceCollection services, string name)
    {
        if (services.Any(d => d.ImplementationInstance is StoreHttpClientRegistration r && r.Name == name))
        {
            return;
        }

        services.AddSingleton(new StoreHttpClientRegistration(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, StoreHttpClientFilter>());
        services.AddHttpClient(name).RemoveAllLoggers().ConfigurePrimaryHttpMessageHandler(static () => CreateHandler());
    }

    /// <summary>
    /// Creates the client of one source: the named factory client when <see cref="Register"/> ran for
    /// <paramref name="name"/> and no <paramref name="ownHandler"/> is given, else one owned by the source.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="name">The name of the factory client, for example <c>KeyVaulting.HashiCorpVault</c>.</param>
    /// <param name="sourceName">The source, for messages.</param>
    /// <param name="endpoint">How the store is named in messages.</param>
    /// <param name="ownHandler">A handler of the source's own (a custom TLS trust), from <see cref="CreateHandler"/>.</param>
    public static StoreHttpClient Create(IServiceProvider services, string name, string sourceName, StoreEndpoint endpoint, SocketsHttpHandler? ownHandler = null)
    {
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var registered = services.GetServices<StoreHttpClientRegistration>().Any(r => r.Name == name);
        if (ownHandler is null && registered && services.GetService<IHttpClientFactory>() is { } factory)
        {
            return new StoreHttpClient(
                () =>
                {
                    var client = factory.CreateClient(name);
                    client.MaxResponseContentBufferSize = MaxResponseBytes;
                    return client;
                },
                owned: null,
                $"the IHttpClientFactory client '{name}'",
                sourceName,
                endpoint,
                time);
        }

        // A client of that name registered by someone else would log the token: it is not used.
        var owned = new HttpClient(ownHandler ?? CreateHandler(), disposeHandler: true) { MaxResponseContentBufferSize = MaxResponseBytes };
        var description = ownHandler is null ? "its own HttpClient" : "its own HttpClient with the configured TLS trust";
        return new StoreHttpClient(() => owned, owned, description, sourceName, endpoint, time);
    }

    /// <summary>A handler that follows no redirect and recycles its connections, so that DNS changes are seen.</summary>
    public static SocketsHttpHandler CreateHandler()
        => new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false };

    /// <summary>Sends the request and reads the whole answer, or throws an <see cref="OpenAIKeySourceException"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="operation">What is being done, for messages: <c>the read of secret/data/openai</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The answer, whatever its status except a redirect; the caller disposes it.</returns>
    public async Task<StoreHttpResponse> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        var store = $"{_endpoint.Store} at {request.RequestUri!.GetLeftPart(UriPartial.Authority)}";
        HttpClient client;
        try
        {
            client = _client();
        }
        catch (InvalidOperationException ex)
        {
            // The application's handler of the named client cannot be kept from following redirects.
            throw new OpenAIKeySourceException(_sourceName, ex.Message, isTransient: false);
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Failure(ex, store, operation);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenAIKeySourceException(
                _sourceName, $"{store} did not answer {operation} in time (HttpClient.Timeout); it is retried with backoff.", isTransient: true, innerException: ex);
        }

        using (response)
        {
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                throw Redirected(response, store, operation);
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new StoreHttpResponse(
                response.StatusCode, response.Headers, response.Content.Headers.ContentType?.MediaType, body, RetryAfter.Parse(response, _time.GetUtcNow()));
        }
    }

    public void Dispose() => _owned?.Dispose();

    private OpenAIKeySourceException Failure(HttpRequestException exception, string store, string operation)
    {
        if (exception.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            return new OpenAIKeySourceException(
                _sourceName,
                $"The answer of {store} to {operation} is larger than {MaxResponseBytes / 1024} KiB, the most KeyVaulting reads, so it was not read: " +
                $"no {_endpoint.Store} answer holding an API key is that large. Check {_endpoint.AddressSetting} and any proxy in between.",
                isTransient: false);
        }

        if (exception.HttpRequestError == HttpRequestError.SecureConnectionError || exception.InnerException is AuthenticationException)
        {
            var reason = (exception.InnerException as AuthenticationException)?.Message ?? exception.Message;
            return new OpenAIKeySourceException(
                _sourceName, $"Could not establish a TLS connection to {store} for {operation}: {reason} {_endpoint.TlsFix}", isTransient: false, innerException: exception);
        }

        if (exception.HttpRequestError == HttpRequestError.ResponseEnded || exception.InnerException is IOException)
        {
            // The connection was made (a refused or unresolved one fails with a SocketException), then broke.
            return new OpenAIKeySourceException(
                _sourceName, $"The connection to {store} broke while reading its answer to {operation}; it is retried with backoff.", isTransient: true, innerException: exception);
        }

        return new OpenAIKeySourceException(
            _sourceName,
            $"{store} could not be reached for {operation} ({exception.HttpRequestError}: {exception.Message}). Check {_endpoint.AddressSetting}, DNS and the network; it is retried with backoff.",
            isTransient: true,
            innerException: exception);
    }

    /// <summary>A redirect is never followed; only the target's scheme, host and port are named.</summary>
    private OpenAIKeySourceException Redirected(HttpResponseMessage response, string store, string operation)
    {
        var location = response.Headers.Location;
        var target = location is null
            ? "without a Location"
            : location.IsAbsoluteUri ? $"to {location.GetLeftPart(UriPartial.Authority)}" : "to another path on the same host";
        return new OpenAIKeySourceException(
            _sourceName,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{store} answered {operation} with a redirect (HTTP {(int)response.StatusCode}) {target}, which KeyVaulting does not follow so that credentials are never sent elsewhere. " +
                $"{_endpoint.RedirectFix} It is retried with backoff."),
            isTransient: true);
    }
}
