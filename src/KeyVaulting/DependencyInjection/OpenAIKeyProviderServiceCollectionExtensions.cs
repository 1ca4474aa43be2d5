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
using KeyVaulting.Provider.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OpenAI key providers in an <see cref="IServiceCollection"/>.</summary>
public static class OpenAIKeyProviderServiceCollectionExtensions
{
    /// <summary>The name the default provider goes by in logs, metric tags and health entries.</summary>

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
    /// <exception cref="ArgumentException"><paramref name="name"/> is <c>default</c> (the default provider's name in logs, metrics and health checks) or looks like a key rather than a name (the message does not repeat it).</exception>
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
    /// <exception cref="ArgumentException"><paramref name="name"/> is <c>default</c> (the default provider's name in logs, metrics and health checks) or looks like a key rather than a name (the message does not repeat it).</exception>
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
    /// <exception cref="ArgumentException"><paramref name="name"/> is <c>default</c> (the default provider's name in logs, metrics and health checks) or looks like a key rather than a name (the message does not repeat it).</exception>
    public static IOpenAIKeyProviderBuilder AddOpenAIKeyProvider(this IServiceCollection services, string name, IConfiguration configuration)
    {
        Throw.IfNull(services);
        Throw.IfNull(name);
        Throw.IfNull(configuration);

        var builder = AddCore(services, name);
        services.AddSingleton(new OpenAIKeyProviderConfigurationPath(name, configuration is IConfigurationSection section ? section.Path : "(root)"));
        services.Configure<OpenAIKeyProviderOptions>(name, options =>
            ConfigurationBinding.Bind(configuration, options, ConfigurationKeySourceChain.ProviderReservedKeys, static (c, o, b) => c.Bind(o, b)));
        services.Configure<OpenAIKeySourceChainOptions>(name, chain =>
            chain.Entries.Add(new OpenAIKeySourceChainEntry(sp => ConfigurationKeySourceChain.Create(configuration, name, sp), Owned: true)));
        return builder;
    }

    private static OpenAIKeyProviderBuilder AddCore(IServiceCollection services, string name)
    {
        CheckProviderName(name, nameof(name));
        services.AddOptions();
        services.TryAddSingleton(sp => new KeyVaultingMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<OpenAIKeySourceFactoryRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOpenAIKeySourceFactory, EnvironmentVariableKeySourceFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOpenAIKeySourceFactory, DotEnvFileKeySourceFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIKeyProviderOptions>, OpenAIKeyProviderOptionsValidation>());
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

    /// <summary>
    /// Refuses a provider name that would be confused with the default provider's (which is called <c>default</c> in
    /// logs, metric tags and health entries), or that has the shape of a key.
    /// </summary>
    internal static void CheckProviderName(string name, string paramName)
    {
        if (string.Equals(name, ProviderNames.Default, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"'{ProviderNames.Default}' is the name the default OpenAI key provider goes by in logs, metrics and health checks, so a named provider cannot have it. " +
                "Name the provider after what it is for (for example the OpenAI project, 'analytics'), or register the default provider with AddOpenAIKeyProvider().",
                paramName);
        }

        SecretShapedNames.ThrowIfSecretShaped(
            name,
            paramName,
            "The OpenAI key provider name",
            "Name the provider after what it is for, for example the OpenAI project ('analytics'); its key belongs in a source.");
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

        for (var i = 0; i < sources.Count; i++)
        {
            if (SecretShapedNames.Describe(sources[i]) is { } problem)
            {
                var provider = name.Length == 0 ? "the default OpenAI key provider" : $"OpenAI key provider '{name}'";
                throw new InvalidOperationException($"Source {i + 1} of {provider} ({sources[i].GetType().FullName}) has a Name that {problem}");
            }
        }

        if (sources.Count == 0)
        {
            // The convention of the OpenAI SDKs: the environment variable, then a .env file.
            sources.Add(new EnvironmentVariableKeySource("OPENAI_API_KEY"));
            sources.Add(DotEnvFileKeySourceFactory.Create(new DotEnvFileKeySourceOptions(), services));
            owned.AddRange(sources); // created here, so the provider's own (its .env file is watched)
        }

        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("KeyVaulting.OpenAIKeyProvider");

        // Registering twice appends to one chain (documented). The same source twice is almost certainly a second
        // AddOpenAIKeyProvider call with the same sources (or the same configuration section): say so once.
        foreach (var duplicate in sources.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Log.DuplicateSource(logger, ProviderNames.Display(name), SecretShapes.MaskName(duplicate.Key), duplicate.Count());
        }

        return new OpenAIKeyProvider(
            name,
            sources,
            owned,
            options,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            logger,
            services.GetRequiredService<KeyVaultingMetrics>());
    }
}
