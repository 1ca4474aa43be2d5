using System.Diagnostics.Metrics;
using Azure.AI.OpenAI;
using KeyVaulting.AzureOpenAI.Internal.Validators;
using KeyVaulting.OpenAIClients.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KeyVaulting.AzureOpenAI.Internal;

/// <summary>The registrations shared by the Azure OpenAI client entry points.</summary>
internal static class AzureOpenAIServiceRegistration
{
    /// <summary>Registers the settings and the <see cref="AzureOpenAIClient"/> of a provider name once: keyed unless the name is empty.</summary>
    public static void AddClient(IServiceCollection services, string providerName)
    {
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureOpenAIClientSettings>, AzureOpenAIClientSettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureOpenAIClientSettings>, AzureOpenAIClientSettingsCustomValidator>());
        services.AddOptions<AzureOpenAIClientSettings>(providerName).ValidateOnStart();
        services.TryAddSingleton(sp => new OpenAIClientMetrics(sp.GetService<IMeterFactory>()));

        var registered = services.Any(d => d.ServiceType == typeof(AzureOpenAIClientRegistration)
                                           && d.ImplementationInstance is AzureOpenAIClientRegistration r
                                           && r.ProviderName == providerName);
        if (registered)
        {
            return;
        }

        services.AddSingleton(new AzureOpenAIClientRegistration(providerName));
        if (providerName.Length == 0)
        {
            services.AddSingleton(sp => AzureOpenAIClientFactory.Create(sp, providerName));
        }
        else
        {
            services.AddKeyedSingleton(providerName, (sp, _) => AzureOpenAIClientFactory.Create(sp, providerName));
        }
    }
}
