using KeyVaulting;
using KeyVaulting.OpenAIClients.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the OpenAI key handler to an <see cref="IHttpClientBuilder"/>, for callers of OpenAI's REST API.</summary>
public static class OpenAIKeyHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a handler that sets <c>Authorization: Bearer &lt;current key&gt;</c> on every request to the client's OpenAI
    /// origin (and the <c>OpenAI-Organization</c> / <c>OpenAI-Project</c> headers when the provider's
    /// <c>OpenAIClientSettings</c> name them), and that answers a 401 like the OpenAI client does: it re-reads the key
    /// and sends the request once more when the key changed.
    /// </summary>
    /// <param name="builder">The HTTP client builder, for example <c>services.AddHttpClient("openai")</c>.</param>
    /// <param name="providerName">The key provider's name; <see langword="null"/> or empty for the default provider.</param>
    /// <returns>The HTTP client builder.</returns>
    /// <exception cref="InvalidOperationException">
    /// The builder configures every client (<c>services.ConfigureHttpClientDefaults(...)</c>): the key would be sent to
    /// every host the application calls. (When the client is created, an <see cref="InvalidOperationException"/> also
    /// refuses a client whose key would go over plain http to another machine.)
    /// </exception>
    /// <remarks>
    /// <para>
    /// The key goes to one origin (scheme, host and port): that of the client's <c>BaseAddress</c> as its configuration
    /// sets it; without one, that of the provider's <c>OpenAIClientSettings.Endpoint</c>; without either,
    /// <c>https://api.openai.com</c>. Requests to any other origin go without the key and the OpenAI headers, and the
    /// first to each origin is logged (event 412). Plain http is accepted only to this machine. A request is never sent
    /// again with a key after a redirect: a 401 from the redirect's target is returned as it is (event 413). To send the
    /// key to a second origin, register a second client with that <c>BaseAddress</c>.
    /// </para>
    /// <para>
    /// The organization and project come from the <c>OpenAIClientSettings</c> of the same name, set with
    /// <c>AddOpenAIClient(...)</c> or <c>services.Configure&lt;OpenAIClientSettings&gt;(name, ...)</c>. A request is sent
    /// once more after a 401 only when its content can be read twice (string, bytes or JSON content).
    /// </para>
    /// <para>
    /// This method also replaces the client's request logging. The <see cref="IHttpClientFactory"/>'s default logging,
    /// and any logger added to this client before this call, is removed: at Trace level it logs request headers, masked
    /// in the message text but raw in the log record's structured state, which would put the key in any structured log
    /// sink. In its place, each request is logged at Debug level with its method, URI (without query or user
    /// information), status code and duration, and never a header (category <c>KeyVaulting.OpenAIClient</c>, event ids
    /// 410 and 411). An application that needs more can add its own logger to the client after this call, with
    /// <c>AddLogger(...)</c>, at its own risk: that logger sees the <c>Authorization</c> header.
    /// </para>
    /// </remarks>
    public static IHttpClientBuilder AddOpenAIKeyHandler(this IHttpClientBuilder builder, string? providerName = null)
    {
        Throw.IfNull(builder);
        if (builder.Name is null)
        {
            // ConfigureHttpClientDefaults hands out a builder without a name: its handlers go into every HttpClient.
            throw new InvalidOperationException(
                "AddOpenAIKeyHandler was called inside ConfigureHttpClientDefaults, which would send the OpenAI key to every host this " +
                "application calls. Add it only to the client that calls OpenAI, for example services.AddHttpClient(\"openai\", " +
                "c => c.BaseAddress = new Uri(\"https://api.openai.com/v1/\")).AddOpenAIKeyHandler().");
        }

        var name = providerName ?? string.Empty;
        if (name.Length == 0)
        {
            OpenAIServiceRegistration.EnsureDefaultProvider(builder.Services);
        }

        OpenAIServiceRegistration.AddSettings(builder.Services, name);
        var clientName = builder.Name;
        var shownName = clientName.Length == 0 ? "(default)" : clientName;
        builder.Services.TryAddKeyedSingleton<RefusedOrigins>(RefusedOriginsKey(clientName));
        builder.RemoveAllLoggers().AddLogger(sp => new OpenAIKeyHttpClientLogger(
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(OpenAIClientFactory.LoggerCategory),
            shownName));
        return builder.AddHttpMessageHandler(sp =>
        {
            var settings = sp.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(name);
            var displayName = OpenAIClientFactory.DisplayName(name);
            var destination = OpenAIKeyDestination.Resolve(sp, clientName, shownName, displayName, settings);
            var provider = OpenAIClientFactory.ResolveProvider(sp, name);
            var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(OpenAIClientFactory.LoggerCategory);
            var recovery = new KeyRejectionRecovery(provider, displayName, logger, settings.ErrorLogInterval);
            var refused = sp.GetRequiredKeyedService<RefusedOrigins>(RefusedOriginsKey(clientName));
            return new OpenAIKeyHandler(provider, recovery, destination, refused, shownName, settings.OrganizationId, settings.ProjectId);
        });
    }

    /// <summary>The service key of a client's <see cref="RefusedOrigins"/>: one per client name, shared by its handlers.</summary>
    private static string RefusedOriginsKey(string clientName) => "KeyVaulting.OpenAIKeyHandler:" + clientName;
}
