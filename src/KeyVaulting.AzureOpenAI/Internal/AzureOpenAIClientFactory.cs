using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using KeyVaulting.OpenAIClients.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using KeyVaulting.Provider.Internal;

namespace KeyVaulting.AzureOpenAI.Internal;

/// <summary>Builds the <see cref="AzureOpenAIClient"/> of a provider name from its settings and its key provider.</summary>
internal static class AzureOpenAIClientFactory
{
    public const string LoggerCategory = "KeyVaulting.AzureOpenAIClient";

    public static AzureOpenAIClient Create(IServiceProvider services, string providerName)
    {
        var settings = services.GetRequiredService<IOptionsMonitor<AzureOpenAIClientSettings>>().Get(providerName);
        var provider = ResolveProvider(services, providerName);
        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var displayName = ProviderNames.Display(providerName);
        var recovery = new KeyRejectionRecovery(provider, displayName, loggerFactory.CreateLogger(LoggerCategory), metrics: services.GetService<OpenAIClientMetrics>());

        var options = settings.ServiceVersion is { } version ? new AzureOpenAIClientOptions(version) : new AzureOpenAIClientOptions();
        options.UserAgentApplicationId = settings.UserAgentApplicationId;
        options.NetworkTimeout = settings.NetworkTimeout;
        options.RetryPolicy = new OpenAIRetryPolicy(settings.MaxRetries, recovery, time, loggerFactory);
        if (settings.Transport is { } transport)
        {
            options.Transport = transport;
        }

        // Azure.AI.OpenAI offers no authentication extension point for a key that changes: its ApiKeyCredential
        // constructor is the key route. The client gets a placeholder credential, and CurrentApiKeyPolicy, last before
        // the transport, sets the api-key header on every try from the provider (and records which key went, for the
        // 401 resend). The client's own per-call policies (User-Agent, x-ms-client-request-id, default headers) stay.
        options.AddPolicy(new CurrentApiKeyPolicy(provider), PipelinePosition.BeforeTransport);
        return new AzureOpenAIClient(settings.Endpoint, new ApiKeyCredential(CurrentApiKeyPolicy.Placeholder), options);
    }

    public static IOpenAIKeyProvider ResolveProvider(IServiceProvider services, string providerName)
    {
        var provider = providerName.Length == 0
            ? services.GetService<IOpenAIKeyProvider>()
            : services.GetKeyedService<IOpenAIKeyProvider>(providerName);

        return provider ?? throw new InvalidOperationException(providerName.Length == 0
            ? "No default OpenAI key provider is registered for the Azure OpenAI client. Call services.AddOpenAIKeyProvider() and add the source of the Azure OpenAI key, for example .AddAzureKeyVault(vaultUri, \"azure-openai-key\") or .AddEnvironmentVariable(\"AZURE_OPENAI_API_KEY\")."
            : $"No OpenAI key provider named '{providerName}' is registered, but an Azure OpenAI client for it is. Call services.AddOpenAIKeyProvider(\"{providerName}\") and add its sources.");
    }
}
