using System.ClientModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;

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
        var displayName = OpenAIClientFactory.DisplayName(providerName);
        var endpoint = OpenAIClientFactory.DescribeEndpoint(clientSettings.Endpoint);
        var provider = OpenAIClientFactory.ResolveProvider(services, providerName);
        var client = providerName.Length == 0
            ? services.GetRequiredService<OpenAIClient>()
            : services.GetRequiredKeyedService<OpenAIClient>(providerName);

        // Load the key first: "no key at all" is the provider's own, clearer, startup error.
        var key = await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);

        string reason;
        Exception? failure;
        try
        {
            await client.GetOpenAIModelClient().GetModelsAsync(cancellationToken).ConfigureAwait(false);
            OpenAILog.StartupValidationSucceeded(_logger, displayName, key.Fingerprint, endpoint);
            return;
        }
        catch (ClientResultException ex) when (ex.Status == 401)
        {
            var current = await provider.GetKeyAsync(cancellationToken).ConfigureAwait(false);
            var error = ex.GetRawResponse() is { } response ? OpenAIErrorBody.Read(response) : default;
            throw new InvalidOperationException(
                $"OpenAI rejected the API key {current.Fingerprint} from {current.Source} (OpenAI key provider '{displayName}') with 401 ({error.Describe()}) at {endpoint}, " +
                "so startup stops here (ValidateKeyOnStartup). Likely causes: the key was revoked or deleted, its project was archived, " +
                "the key belongs to another organization or project than OrganizationId/ProjectId name, or Endpoint points to a server that does not know this key. " +
                "Put a valid key in the store, or fix the settings.",
                ex);
        }
        catch (ClientResultException ex) when (ex.Status != 0)
        {
            var error = ex.GetRawResponse() is { } response ? OpenAIErrorBody.Read(response) : default;
            reason = ex.Status == 429 && error.QuotaKind == OpenAIQuotaKind.InsufficientQuota
                ? "OpenAI answered 429 insufficient_quota: the key works but the account has no credits left; add credits."
                : $"OpenAI answered {ex.Status} ({error.Describe()}) to GET /models.";
            failure = ex;
        }
        catch (Exception ex) when (ex is ClientResultException or AggregateException or HttpRequestException or IOException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            reason = $"the request failed before OpenAI answered ({ex.GetType().Name}): check the network, a proxy, or the Endpoint setting.";
            failure = ex;
        }

        if (clientSettings.StrictStartupValidation)
        {
            throw new InvalidOperationException(
                $"Could not validate the API key {key.Fingerprint} of OpenAI key provider '{displayName}' at {endpoint}: {reason} " +
                "Startup stops because StrictStartupValidation is set.",
                failure);
        }

        OpenAILog.StartupValidationInconclusive(_logger, displayName, key.Fingerprint, endpoint, reason, failure);
    }
}
