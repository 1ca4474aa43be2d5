using System.ClientModel;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;
using KeyVaulting.Provider.Internal;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// When the host starts, checks the key of every OpenAI client with <see cref="OpenAIClientSettings.ValidateKeyOnStartup"/>
/// by listing the models (<c>GET /models</c>, which costs no tokens). A 401 fails startup; anything else that does
/// not confirm the key is a warning, or fails startup with <see cref="OpenAIClientSettings.StrictStartupValidation"/>.
/// </summary>
internal sealed class OpenAIKeyValidationService(
    IServiceProvider services,
    IEnumerable<OpenAIClientRegistration> registrations,
    IOptionsMonitor<OpenAIClientSettings> settings,
    ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly ILogger _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger(OpenAIClientFactory.LoggerCategory);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var names = registrations.Select(r => r.ProviderName).Distinct(StringComparer.Ordinal).ToList();
        var checks = names
            .Select(name => (Name: name, Settings: settings.Get(name)))
            .Where(c => c.Settings.ValidateKeyOnStartup)
            .Select(c => ValidateAsync(c.Name, c.Settings, cancellationToken));
        await Task.WhenAll(checks).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ValidateAsync(string providerName, OpenAIClientSettings clientSettings, CancellationToken cancellationToken)
    {
        var displayName = ProviderNames.Display(providerName);
        var endpoint = OpenAIClientFactory.DescribeEndpoint(clientSettings.Endpoint);
        var provider = OpenAIClientFactory.ResolveProvider(services, providerName);
        var client = providerName.Length == 0
            ? services.GetRequiredService<OpenAIClient>()
            : services.GetRequiredKeyedService<OpenAIClient>(providerName);

        // Load the key first: "no key at all" is the provider's own, clearer, startup error.
        var key = await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);

        // Neither the SDK's exception nor the answer's body is attached or logged: ClientResultException's message holds
        // the body, and a proxy or an OpenAI-compatible server may echo the Authorization header in it. The failure is
        // described by the status and the error's type and code only.
        string reason;
        try
        {
            await client.GetOpenAIModelClient().GetModelsAsync(cancellationToken).ConfigureAwait(false);
            OpenAILog.StartupValidationSucceeded(_logger, displayName, key.Fingerprint, endpoint);
            return;
        }
        catch (ClientResultException ex) when (ex.Status == 401)
        {
            var current = await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);
            var error = ReadError(ex);
            throw new InvalidOperationException(
                $"OpenAI rejected the API key {current.Fingerprint} from {current.Source} (OpenAI key provider '{displayName}') with 401 ({error.Describe()}) at {endpoint}, " +
                "so startup stops here (ValidateKeyOnStartup). Likely causes: the key was revoked or deleted, its project was archived, " +
                "the key belongs to another organization or project than OrganizationId/ProjectId name, or Endpoint points to a server that does not know this key. " +
                "Put a valid key in the store, or fix the settings.");
        }
        catch (ClientResultException ex) when (ex.Status != 0)
        {
            var error = ReadError(ex);
            reason = ex.Status == 429 && error.QuotaKind == OpenAIQuotaKind.InsufficientQuota
                ? "OpenAI answered 429 insufficient_quota: the key works but the account has no credits left; add credits."
                : $"OpenAI answered {ex.Status} ({error.Describe()}) to GET /models.";
        }
        catch (Exception ex) when (ex is ClientResultException or AggregateException or HttpRequestException or IOException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            reason = $"the request failed before OpenAI answered ({DescribeTransportFailure(ex)}): check the network, a proxy, or the Endpoint setting.";
        }

        if (clientSettings.StrictStartupValidation)
        {
            throw new InvalidOperationException(
                $"Could not validate the API key {key.Fingerprint} of OpenAI key provider '{displayName}' at {endpoint}: {reason} " +
                "Startup stops because StrictStartupValidation is set.");
        }

        OpenAILog.StartupValidationInconclusive(_logger, displayName, key.Fingerprint, endpoint, reason);
    }

    private static OpenAIErrorBody ReadError(ClientResultException exception)
        => exception.GetRawResponse() is { } response ? OpenAIErrorBody.Read(response) : default;

    /// <summary>
    /// Names a failure without an answer by its type and, where .NET classifies it, its kind (for example
    /// <c>HttpRequestException: NameResolutionError</c>): never by a message, which may hold a proxy's address with its
    /// credentials.
    /// </summary>
    private static string DescribeTransportFailure(Exception exception)
    {
        var root = exception;
        while (root is AggregateException { InnerExceptions.Count: > 0 } aggregate || root is ClientResultException { InnerException: not null })
        {
            root = root is AggregateException many ? many.InnerExceptions[0] : root.InnerException!;
        }

        return root switch
        {
            HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => $"{nameof(HttpRequestException)}: {http.HttpRequestError}",
            SocketException socket => $"{nameof(SocketException)}: {socket.SocketErrorCode}",
            _ => root.GetType().Name,
        };
    }
}
