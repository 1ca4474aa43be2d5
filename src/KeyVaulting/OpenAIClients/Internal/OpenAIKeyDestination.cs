using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>
/// The one origin an <c>AddOpenAIKeyHandler</c> client sends the key to: that of the client's <c>BaseAddress</c>;
/// without one, that of the provider's <see cref="OpenAIClientSettings.Endpoint"/>; without either, OpenAI's own
/// <c>https://api.openai.com</c>. It is never plain http to another machine: such a client is refused when it is
/// created.
/// </summary>
internal sealed class OpenAIKeyDestination
{
    /// <summary>The most origins, per client, whose requests without the key are logged (once each).</summary>
    public const int MaxLoggedOrigins = 100;

    private OpenAIKeyDestination(Uri address, string setting)
    {
        Origin = OpenAIOrigin.Of(address);
        Described = OpenAIOrigin.Describe(address);
        Setting = setting;
    }

    public OpenAIOrigin Origin { get; }

    /// <summary>Gets the origin as a log shows it, for example <c>https://api.openai.com</c>.</summary>
    public string Described { get; }

    /// <summary>Gets where the origin comes from, for messages: "the client's BaseAddress", ….</summary>
    public string Setting { get; }

    /// <summary>Returns whether a request to <paramref name="address"/> may carry the key.</summary>
    public bool Allows(Uri? address) => Origin.Contains(address);

    /// <summary>Finds the origin of a client from its configuration and its provider's settings.</summary>
    /// <exception cref="InvalidOperationException">The origin is plain http to another machine.</exception>
    /// <param name="services">The handler's services.</param>
    /// <param name="clientName">The client's name in the factory.</param>
    /// <param name="shownName">The client's name as messages show it.</param>
    /// <param name="providerName">The key provider's name as messages show it.</param>
    /// <param name="settings">The provider's client settings.</param>
    public static OpenAIKeyDestination Resolve(IServiceProvider services, string clientName, string shownName, string providerName, OpenAIClientSettings settings)
    {
        var (address, setting) = ConfiguredBaseAddress(services, clientName) is { IsAbsoluteUri: true } baseAddress
            ? (baseAddress, "the client's BaseAddress")
            : settings.Endpoint is { IsAbsoluteUri: true } endpoint
                ? (endpoint, "the Endpoint setting of OpenAIClientSettings")
                : (OpenAIClientFactory.DefaultEndpoint, "OpenAI's API; the client has no BaseAddress and no Endpoint setting");

        if (OpenAIOrigin.IsPlainHttpToAnotherMachine(address))
        {
            throw new InvalidOperationException(
                $"HttpClient '{shownName}' would send the key of OpenAI key provider '{providerName}' to {OpenAIOrigin.Describe(address)} ({setting}): " +
                "plain http to another machine, where anyone on the network path can read the key, so AddOpenAIKeyHandler refuses it. " +
                "Use an https address (plain http is accepted only to this machine: localhost, 127.0.0.1, [::1]).");
        }

        return new OpenAIKeyDestination(address, setting);
    }

    /// <summary>
    /// The <c>BaseAddress</c> the factory gives the client: its configuration actions (<c>AddHttpClient(name, c =&gt;
    /// c.BaseAddress = …)</c>, <c>ConfigureHttpClient(…)</c>) applied to a client that never sends. A typed client that
    /// sets <c>BaseAddress</c> in its own constructor is not seen; it gets the Endpoint setting's origin.
    /// </summary>
    private static Uri? ConfiguredBaseAddress(IServiceProvider services, string clientName)
    {
        var actions = services.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(clientName).HttpClientActions;
        // Stryker disable once Block : a probe that no action configured has no BaseAddress either: this only spares creating it
        if (actions.Count == 0)
        {
            return null;
        }

        // Stryker disable once Boolean : NeverSends holds nothing to dispose and is never asked to send
        using var probe = new HttpClient(NeverSends.Instance, disposeHandler: false);
        foreach (var action in actions)
        {
            action(probe);
        }

        return probe.BaseAddress;
    }

    /// <summary>The handler of the probe client: it is only configured, never used.</summary>
    private sealed class NeverSends : HttpMessageHandler
    {
        public static NeverSends Instance { get; } = new();

        // Stryker disable once String : never called: the probe client is configured, never used to send
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => throw new InvalidOperationException("The probe client of AddOpenAIKeyHandler sends nothing.");
    }
}
