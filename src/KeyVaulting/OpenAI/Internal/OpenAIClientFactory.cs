using System.ClientModel.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenAI;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>Builds the <see cref="OpenAIClient"/> of a provider name from its settings and its key provider.</summary>
internal static class OpenAIClientFactory
{
    public const string LoggerCategory = "KeyVaulting.OpenAIClient";

    /// <summary>Gets OpenAI's own API address, which the SDK uses when no endpoint is set.</summary>
    public static Uri DefaultEndpoint { get; } = new("https://api.openai.com/v1");

    public static OpenAIClient Create(IServiceProvider services, string providerName)
    {
        var settings = services.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(providerName);
        var provider = ResolveProvider(services, providerName);
        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger(LoggerCategory);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var displayName = DisplayName(providerName);

        var options = new OpenAIClientOptions
        {
            Endpoint = settings.Endpoint,
            OrganizationId = settings.OrganizationId,
            ProjectId = settings.ProjectId,
            UserAgentApplicationId = settings.UserAgentApplicationId,
            NetworkTimeout = settings.NetworkTimeout,
            RetryPolicy = new OpenAIRetryPolicy(settings.MaxRetries, new KeyRejectionRecovery(provider, displayName, logger, settings.ErrorLogInterval), time, loggerFactory),
        };

        // The transport only sends: KeyVaulting's authentication and retry policies run before it whatever it is.
        // Null leaves the SDK's default; a transport the application gives stays the application's to dispose.
        if (settings.Transport is { } transport)
        {
            options.Transport = transport;
        }

        // OPENAI001: the AuthenticationPolicy constructor is marked experimental. It is the SDK's own extension point
        // for custom authentication, and the only public one that keeps the SDK's pipeline (user agent, telemetry,
        // OpenAI-Organization/OpenAI-Project headers, endpoint handling) while letting the key come from the
        // provider on every try. The stable alternative, OpenAIClient(ApiKeyCredential, ...), would need a shared
        // mutable credential kept in sync with the provider (racy during a rotation) and formats "Bearer {key}" anew
        // on every request; this policy caches the header per key. The tests build a real client through this
        // constructor, so an SDK update that changes it fails the build or the tests, not an application.
#pragma warning disable OPENAI001
        return new OpenAIClient(new CurrentKeyAuthenticationPolicy(provider), options);
#pragma warning restore OPENAI001
    }

    public static IOpenAIKeyProvider ResolveProvider(IServiceProvider services, string providerName)
    {
        var provider = providerName.Length == 0
            ? services.GetService<IOpenAIKeyProvider>()
            : services.GetKeyedService<IOpenAIKeyProvider>(providerName);

        return provider ?? throw new InvalidOperationException(providerName.Length == 0
            ? "No default OpenAI key provider is registered. Call services.AddOpenAIKeyProvider() and add its sources, for example .AddEnvironmentVariable(\"OPENAI_API_KEY\")."
            : $"No OpenAI key provider named '{providerName}' is registered, but an OpenAI client for it is. Call services.AddOpenAIKeyProvider(\"{providerName}\") and add its sources, for example .AddEnvironmentVariable(\"OPENAI_API_KEY_{providerName.ToUpperInvariant()}\").");
    }

    public static string DisplayName(string providerName) => providerName.Length == 0 ? "default" : providerName;

    /// <summary>Shows an endpoint without user information or query: safe to log.</summary>
    public static string DescribeEndpoint(Uri? endpoint)
        => (endpoint ?? DefaultEndpoint).GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
}
