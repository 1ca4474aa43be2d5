using KeyVaulting;
using KeyVaulting.Rotation;
using KeyVaulting.Rotation.Diagnostics;
using KeyVaulting.Rotation.Internal;
using KeyVaulting.Rotation.Internal.Admin;
using KeyVaulting.Rotation.Internal.Validators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers automated OpenAI key rotation in an <see cref="IServiceCollection"/>.</summary>
public static class OpenAIKeyRotationServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default key rotation: an <see cref="IOpenAIKeyRotator"/> and a hosted service that rotates the
    /// key every <see cref="OpenAIKeyRotationOptions.Interval"/>. Choose the store on the returned builder
    /// (<c>UseDotEnvFile</c>, <c>UseTarget</c>), and register the admin key's provider with
    /// <c>services.AddOpenAIKeyProvider("openai-admin")</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the rotation's options.</param>
    /// <returns>The builder, to choose the store.</returns>
    public static IOpenAIKeyRotationBuilder AddOpenAIKeyRotation(this IServiceCollection services, Action<OpenAIKeyRotationOptions> configure)
        => services.AddOpenAIKeyRotation(Options.Options.DefaultName, configure);

    /// <summary>
    /// Registers the default key rotation with its options, and optionally its store (<c>Target</c>), read from
    /// configuration, for example <c>configuration.GetSection("KeyVaulting:Rotation")</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section with the rotation's settings and its <c>Target</c>.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyRotationBuilder AddOpenAIKeyRotation(this IServiceCollection services, IConfiguration configuration)
        => services.AddOpenAIKeyRotation(Options.Options.DefaultName, configuration);

    /// <summary>Registers a named key rotation (one per store or project), resolved as a keyed <see cref="IOpenAIKeyRotator"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The rotation's name and service key.</param>
    /// <param name="configure">Configures the rotation's options.</param>
    /// <returns>The builder, to choose the store.</returns>
    public static IOpenAIKeyRotationBuilder AddOpenAIKeyRotation(this IServiceCollection services, string name, Action<OpenAIKeyRotationOptions> configure)
    {
        Throw.IfNull(services);
        Throw.IfNull(name);
        Throw.IfNull(configure);
        var builder = AddCore(services, name);
        services.Configure(name, configure);
        return builder;
    }

    /// <summary>Registers a named key rotation with its options, and optionally its store (<c>Target</c>), read from configuration.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The rotation's name and service key.</param>
    /// <param name="configuration">The section with the rotation's settings and its <c>Target</c>.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyRotationBuilder AddOpenAIKeyRotation(this IServiceCollection services, string name, IConfiguration configuration)
    {
        Throw.IfNull(services);
        Throw.IfNull(name);
        Throw.IfNull(configuration);
        var builder = AddCore(services, name);
        services.Configure<OpenAIKeyRotationOptions>(name, options => RotationConfiguration.Bind(configuration, options));
        var target = configuration.GetSection(RotationConfiguration.TargetKey);
        if (target.GetChildren().Any())
        {
            services.Configure<OpenAIKeyRotationTargetOptions>(name, o => o.Configuration = target);
        }

        return builder;
    }

    private static OpenAIKeyRotationBuilder AddCore(IServiceCollection services, string name)
    {
        services.AddOptions();
        services.AddHttpClient(OpenAIKeyRotationOptions.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static (handler, _) => Redirects.Disable(handler));
        services.TryAddSingleton(sp => new RotationMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<RotationTargetRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIKeyRotationOptions>, OpenAIKeyRotationOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAIKeyRotationOptions>, OpenAIKeyRotationOptionsCustomValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OpenAIKeyRotationHostedService>());

        var registered = services.Any(d => d.ServiceType == typeof(OpenAIKeyRotationRegistration)
                                           && d.ImplementationInstance is OpenAIKeyRotationRegistration r
                                           && r.Name == name);
        if (!registered)
        {
            services.AddSingleton(new OpenAIKeyRotationRegistration(name));
            services.AddOptions<OpenAIKeyRotationOptions>(name).ValidateOnStart();
            services.AddKeyedSingleton(name, (sp, _) => CreateRotator(sp, name));
            if (name.Length == 0)
            {
                services.AddSingleton<IOpenAIKeyRotator>(sp => sp.GetRequiredKeyedService<OpenAIKeyRotator>(name));
            }
            else
            {
                services.AddKeyedSingleton<IOpenAIKeyRotator>(name, (sp, _) => sp.GetRequiredKeyedService<OpenAIKeyRotator>(name));
            }
        }

        return new OpenAIKeyRotationBuilder(name, services);
    }

    private static OpenAIKeyRotator CreateRotator(IServiceProvider services, string name)
    {
        var display = name.Length == 0 ? "the default key rotation" : $"key rotation '{name}'";
        var options = services.GetRequiredService<IOptionsMonitor<OpenAIKeyRotationOptions>>().Get(name);
        var targetOptions = services.GetRequiredService<IOptionsMonitor<OpenAIKeyRotationTargetOptions>>().Get(name);
        if (targetOptions.Factory is not null && targetOptions.Configuration is not null)
        {
            throw new InvalidOperationException($"The store of {display} is chosen twice: in code (UseDotEnvFile or UseTarget) and in configuration ('{targetOptions.Configuration.Path}'). Keep one.");
        }

        var target = targetOptions.Factory?.Invoke(services)
            ?? (targetOptions.Configuration is { } section ? services.GetRequiredService<RotationTargetRegistry>().Create(name, section) : null)
            ?? throw new InvalidOperationException($"{Sentences.Capitalize(display)} has no store to write keys to: call UseDotEnvFile(...) or UseTarget(...) on the builder that AddOpenAIKeyRotation returned, or set a 'Target' section with its 'Type' in configuration.");

        var admin = services.GetKeyedService<IOpenAIKeyProvider>(options.AdminKeyProviderName)
            ?? throw new InvalidOperationException(
                $"{Sentences.Capitalize(display)} reads the admin key from key provider '{options.AdminKeyProviderName}', which is not registered. Register it over the store that holds the admin key, for example services.AddOpenAIKeyProvider(\"{options.AdminKeyProviderName}\").AddEnvironmentVariable(\"OPENAI_ADMIN_KEY\"), or set AdminKeyProviderName.");
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var consumer = Consumer(services, options.ProviderName, time);
        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var httpClients = services.GetRequiredService<IHttpClientFactory>();
        HttpClient Http() => httpClients.CreateClient(OpenAIKeyRotationOptions.HttpClientName);
        var logger = loggerFactory.CreateLogger("KeyVaulting.Rotation");

        return new OpenAIKeyRotator(
            name,
            options,
            target,
            new OpenAIAdminClient(Http, options.AdminEndpoint, admin, options.AdminKeyProviderName, options.RequestTimeout, time, logger),
            new KeyProbe(Http, options.Endpoint, options.RequestTimeout, options.TestTimeout, time),
            EnvironmentName(options, services),
            consumer,
            time,
            logger,
            services.GetRequiredService<RotationMetrics>());
    }

    /// <summary>This application's own provider over the rotation's store, when there is one, with its read limits.</summary>
    private static RotationConsumer? Consumer(IServiceProvider services, string? providerName, TimeProvider time)
    {
        var provider = providerName switch
        {
            null => null,
            "" => services.GetService<IOpenAIKeyProvider>(),
            var name => services.GetKeyedService<IOpenAIKeyProvider>(name),
        };
        if (provider is null)
        {
            return null;
        }

        var limits = services.GetRequiredService<IOptionsMonitor<OpenAIKeyProviderOptions>>().Get(providerName);
        return new RotationConsumer(provider, limits.MinimumRefreshInterval, limits.SourceTimeout, time);
    }

    private static string EnvironmentName(OpenAIKeyRotationOptions options, IServiceProvider services)
    {
        if (options.Environment is { Length: > 0 } configured)
        {
            return configured;
        }

        var host = services.GetService<IHostEnvironment>()?.EnvironmentName;
        var cleaned = new string((host ?? string.Empty).ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(40).ToArray());
        return cleaned.Length == 0 ? "app" : cleaned;
    }
}
