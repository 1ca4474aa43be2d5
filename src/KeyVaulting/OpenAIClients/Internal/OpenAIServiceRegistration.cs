using System.Diagnostics.Metrics;
using KeyVaulting.OpenAIClients.Internal.Validators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KeyVaulting.OpenAIClients.Internal;

/// <summary>The registrations shared by the OpenAI client, chat, embedding and handler entry points.</summary>
internal static class OpenAIServiceRegistration
{
    /// <summary>
    /// Registers the default key provider (the <c>OPENAI_API_KEY</c> environment variable, then a <c>.env</c> file)
    /// unless one is registered already; a later <c>AddOpenAIKeyProvider(...)</c> call adds to the same provider.
    /// </summary>
    public static void EnsureDefaultProvider(IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(IOpenAIKeyProvider) && !d.IsKeyedService))
        {
            services.AddOpenAIKeyProvider();
        }
    }

    public static void AddSettings(IServiceCollection services, string providerName)
    {
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIClientSettings>, OpenAIClientSettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIClientSettings>, OpenAIClientSettingsCustomValidator>());
        services.AddOptions<OpenAIClientSettings>(providerName).ValidateOnStart();
        services.TryAddSingleton(sp => new OpenAIClientMetrics(sp.GetService<IMeterFactory>()));
    }

    /// <summary>Registers the <c>OpenAIClient</c> of a provider name once: a singleton, keyed unless the name is empty.</summary>
    public static void AddClient(IServiceCollection services, string providerName)
    {
        AddSettings(services, providerName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OpenAIKeyValidationService>());

        var registered = services.Any(d => d.ServiceType == typeof(OpenAIClientRegistration)
                                           && d.ImplementationInstance is OpenAIClientRegistration r
                                           && r.ProviderName == providerName);
        if (registered)
        {
            return;
        }

        services.AddSingleton(new OpenAIClientRegistration(providerName));
        if (providerName.Length == 0)
        {
            services.AddSingleton(sp => OpenAIClientFactory.Create(sp, providerName));
        }
        else
        {
            services.AddKeyedSingleton(providerName, (sp, _) => OpenAIClientFactory.Create(sp, providerName));
        }
    }
}
