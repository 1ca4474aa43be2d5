using KeyVaulting;
using KeyVaulting.DependencyInjection.Internal;
using KeyVaulting.Diagnostics;
using KeyVaulting.Provider;
using KeyVaulting.Provider.Internal.Validators;
using KeyVaulting.Sources.Configuration;
using KeyVaulting.Sources.DotEnv;
using KeyVaulting.Sources.EnvironmentVariable;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OpenAI key providers in an <see cref="IServiceCollection"/>.</summary>
public static class OpenAIKeyProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default <see cref="IOpenAIKeyProvider"/>. Add sources to the returned builder in order; with no
    /// source, the chain is the <c>OPENAI_API_KEY</c> environment variable, then a <c>.env</c> file.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder, to add sources.</returns>
    public static IOpenAIKeyProviderBuilder AddOpenAIKeyProvider(this IServiceCollection services)
        => services.AddOpenAIKeyProvider(Options.Options.DefaultName);

    /// <summary>
    /// Registers the default <see cref="IOpenAIKeyProvider"/> with its options. Add sources to the returned builder in
    /// order; with no source, the chain is the <c>OPENAI_API_KEY</c> environment variable, then a <c>.env</c> file.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the provider's options.</param>
    /// <returns>The builder, to add sources.</returns>
    public static IOpenAIKeyProviderBuilder AddOpenAIKeyProvider(this IServiceCollection services, Action<OpenAIKeyProviderOptions> configure)
        => services.AddOpenAIKeyProvider(Options.Options.DefaultName, configure);

    /// <summary>
    /// Registers the default <see cref="IOpenAIKeyProvider"/> with its options and source chain read from
    /// configuration, for example <c>configuration.GetSection("KeyVaulting")</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section with the provider's settings, <c>Chain</c> and <c>Sources</c>.</param>
    /// <returns>The builder, to add more sources after those of the configuration.</returns>
    public static IOpenAIKeyProviderBuilder AddOpenAIKeyProvider(this IServiceCollection services, IConfiguration configuration)
        => services.AddOpenAIKeyProvider(Options.Options.DefaultName, configuration);

    /// <summary>
    /// Registers a named <see cref="IOpenAIKeyProvider"/>, for example one per OpenAI project, resolved as a keyed
    /// service: <c>[FromKeyedServices("analytics")] IOpenAIKeyProvider provider</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The provider's name and service key.</param>
    /// <returns>The builder, to add sources.</returns>
    public static IOpenAIKeyProviderBuilder AddOpenAIKeyProvider(this IServiceCollection services, string name)
    {
        Throw.IfNull(services);
        Throw.IfNull(name);
        return AddCore(services, name);
    }

    /// <summary>Registers a named <see cref="IOpenAIKeyProvider"/> with its options, resolved as a keyed service.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The provider's name and service key.</param>
    /// <param name="configure">Configures the provider's options.</param>
    /// <returns>The builder, to add sources.</returns>
    public static IOpenAIKeyProviderBuilder AddOpenAIKeyProvider(this IServiceCollection services, string name, Action<OpenAIKeyProviderOptions> configure)
    {
        Throw.IfNull(services);
        Throw.IfNull(name);
        Throw.IfNull(configure);

        var builder = AddCore(services, name);
        services.Configure(name, configure);
        return builder;
    }

    /// <summary>
    /// Registers a named <see cref="IOpenAIKeyProvider"/> with its options and source chain read from configuration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The provider's name and service key.</param>
    /// <param name="configuration">The section with the provider's settings, <c>Chain</c> and <c>Sources</c>.</param>
    /// <returns>The builder, to add more sources after those of the configuration.</returns>
    public static IOpenAIKeyProviderBuilder AddOpenAIKeyProvider(this IServiceCollection services, string name, IConfiguration configuration)
    {
        Throw.IfNull(services);
        Throw.IfNull(name);
        Throw.IfNull(configuration);

        var builder = AddCore(services, name);
        services.Configure<OpenAIKeyProviderOptions>(name, options =>
            ConfigurationBinding.Bind(configuration, options, ConfigurationKeySourceChain.ProviderReservedKeys));
        services.Configure<OpenAIKeySourceChainOptions>(name, chain =>
            chain.Entries.Add(new OpenAIKeySourceChainEntry(sp => ConfigurationKeySourceChain.Create(configuration, name, sp), Owned: true)));
        return builder;
    }

    private static OpenAIKeyProviderBuilder AddCore(IServiceCollection services, string name)
    {
        services.AddOptions();
        services.TryAddSingleton(sp => new KeyVaultingMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<OpenAIKeySourceFactoryRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOpenAIKeySourceFactory, EnvironmentVariableKeySourceFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOpenAIKeySourceFactory, DotEnvFileKeySourceFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIKeyProviderOptions>, OpenAIKeyProviderOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIKeyProviderOptions>, OpenAIKeyProviderOptionsCustomValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OpenAIKeyProviderStartupService>());

        var registered = services.Any(d => d.ServiceType == typeof(OpenAIKeyProviderRegistration)
                                           && d.ImplementationInstance is OpenAIKeyProviderRegistration r
                                           && r.Name == name);
        if (!registered)
        {
            services.AddSingleton(new OpenAIKeyProviderRegistration(name));
            services.AddOptions<OpenAIKeyProviderOptions>(name).ValidateOnStart();
            services.AddKeyedSingleton(name, (sp, _) => CreateProvider(sp, name));

            if (name.Length == 0)
            {
                services.AddSingleton<IOpenAIKeyProvider>(sp => sp.GetRequiredKeyedService<OpenAIKeyProvider>(name));
            }
            else
            {
                services.AddKeyedSingleton<IOpenAIKeyProvider>(name, (sp, _) => sp.GetRequiredKeyedService<OpenAIKeyProvider>(name));
            }
        }

        return new OpenAIKeyProviderBuilder(name, services);
    }

    private static OpenAIKeyProvider CreateProvider(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<OpenAIKeyProviderOptions>>().Get(name);
        var chain = services.GetRequiredService<IOptionsMonitor<OpenAIKeySourceChainOptions>>().Get(name);
        var sources = new List<IOpenAIKeySource>();
        var owned = new List<IOpenAIKeySource>();
        foreach (var entry in chain.Entries)
        {
            foreach (var source in entry.Create(services))
            {
                sources.Add(source);
                if (entry.Owned)
                {
                    owned.Add(source);
                }
            }
        }

        if (sources.Count == 0)
        {
            // The convention of the OpenAI SDKs: the environment variable, then a .env file.
            sources.Add(new EnvironmentVariableKeySource("OPENAI_API_KEY"));
            sources.Add(DotEnvFileKeySourceFactory.Create(new DotEnvFileKeySourceOptions(), services));
        }

        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return new OpenAIKeyProvider(
            name,
            sources,
            owned,
            options,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            loggerFactory.CreateLogger("KeyVaulting.OpenAIKeyProvider"),
            services.GetRequiredService<KeyVaultingMetrics>());
    }
}
