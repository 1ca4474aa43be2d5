using KeyVaulting;
using KeyVaulting.OpenAIClients.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the OpenAI key handler to an <see cref="IHttpClientBuilder"/>, for callers of OpenAI's REST API.</summary>
public static class OpenAIKeyHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a handler that sets <c>Authorization: Bearer &lt;current key&gt;</c> on every request (and the
    /// <c>OpenAI-Organization</c> / <c>OpenAI-Project</c> headers when the provider's <c>OpenAIClientSettings</c> name
    /// them), and that answers a 401 like the OpenAI client does: it re-reads the key and sends the request once more
    /// when the key changed.
    /// </summary>
    /// <param name="builder">The HTTP client builder, for example <c>services.AddHttpClient("openai")</c>.</param>
    /// <param name="providerName">The key provider's name; <see langword="null"/> or empty for the default provider.</param>
    /// <returns>The HTTP client builder.</returns>
    /// <remarks>
    /// The organization and project come from the <c>OpenAIClientSettings</c> of the same name, set with
    /// <c>AddOpenAIClient(...)</c> or <c>services.Configure&lt;OpenAIClientSettings&gt;(name, ...)</c>. A request is sent
    /// once more after a 401 only when its content can be read twice (string, bytes or JSON content).
    /// </remarks>
    public static IHttpClientBuilder AddOpenAIKeyHandler(this IHttpClientBuilder builder, string? providerName = null)
    {
        Throw.IfNull(builder);
        var name = providerName ?? string.Empty;
        if (name.Length == 0)
        {
            OpenAIServiceRegistration.EnsureDefaultProvider(builder.Services);
        }

        OpenAIServiceRegistration.AddSettings(builder.Services, name);
        return builder.AddHttpMessageHandler(sp =>
        {
            var settings = sp.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(name);
            var provider = OpenAIClientFactory.ResolveProvider(sp, name);
            var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(OpenAIClientFactory.LoggerCategory);
            var recovery = new KeyRejectionRecovery(provider, OpenAIClientFactory.DisplayName(name), logger);
            return new OpenAIKeyHandler(provider, recovery, settings.OrganizationId, settings.ProjectId);
        });
    }
}
