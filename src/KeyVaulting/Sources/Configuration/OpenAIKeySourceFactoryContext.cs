using System.Diagnostics.CodeAnalysis;
using KeyVaulting.Sources.Configuration;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting;

/// <summary>
/// What an <see cref="IOpenAIKeySourceFactory"/> gets to create a source: its configuration section and the
/// application's services.
/// </summary>
public readonly struct OpenAIKeySourceFactoryContext
{
    /// <summary>Initializes a new instance of the <see cref="OpenAIKeySourceFactoryContext"/> struct.</summary>
    /// <param name="providerName">The name of the provider the source belongs to; empty for the default provider.</param>
    /// <param name="configuration">The configuration section that describes the source.</param>
    /// <param name="services">The application's services.</param>
    public OpenAIKeySourceFactoryContext(string providerName, Microsoft.Extensions.Configuration.IConfigurationSection configuration, IServiceProvider services)
    {
        ProviderName = providerName ?? string.Empty;
        Configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        Services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>Gets the name of the provider the source belongs to; empty for the default provider.</summary>
    public string ProviderName { get; }

    /// <summary>Gets the configuration section that describes the source, for example <c>KeyVaulting:Sources:Vault</c>.</summary>
    public IConfigurationSection Configuration { get; }

    /// <summary>Gets the application's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>
    /// Binds <see cref="Configuration"/> to a new <typeparamref name="TOptions"/> strictly (every key but <c>Type</c>
    /// must name a setting) with the reflection binder, and validates its DataAnnotations. In a trimmed or native AOT
    /// application, use <see cref="Bind{TOptions}(Action{IConfiguration, TOptions, Action{BinderOptions}})"/>, whose
    /// binder call the configuration binding source generator makes trim-safe.
    /// </summary>
    /// <typeparam name="TOptions">The options type; each configuration key must match one of its properties.</typeparam>
    /// <returns>The bound options.</returns>
    /// <exception cref="InvalidOperationException">
    /// A key matches no property (a typo), a value cannot be converted, or validation failed. The message names the
    /// configuration path and never repeats a value.
    /// </exception>
    [RequiresUnreferencedCode("Binds by reflection. In a trimmed application, call Bind<TOptions>(static (c, o, b) => c.Bind(o, b)) with the configuration binding source generator on.")]
    [RequiresDynamicCode("Binds by reflection. In a native AOT application, call Bind<TOptions>(static (c, o, b) => c.Bind(o, b)) with the configuration binding source generator on.")]
    public TOptions Bind<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>()
        where TOptions : class, new()
    {
        // The reflection binder on purpose, as a method group (the source generator replaces calls it can type, and
        // cannot type this generic one): the attributes above tell a trimmed application to use the other overload.
        Action<IConfiguration, object?, Action<BinderOptions>?> reflection = ConfigurationBinder.Bind;
        return Bind<TOptions>((configuration, options, binder) => reflection(configuration, options, binder));
    }

    /// <summary>
    /// Binds <see cref="Configuration"/> to a new <typeparamref name="TOptions"/> strictly (every key but <c>Type</c>
    /// must name a setting), and validates its DataAnnotations.
    /// </summary>
    /// <typeparam name="TOptions">The options type; each configuration key must match one of its properties.</typeparam>
    /// <param name="bind">
    /// The binder call, written where <typeparamref name="TOptions"/> is a concrete type so that the configuration
    /// binding source generator makes it trim-safe: <c>static (configuration, options, binder) =&gt; configuration.Bind(options, binder)</c>.
    /// It gets <see cref="Configuration"/> without <c>Type</c> and binder options with <c>ErrorOnUnknownConfiguration</c> set.
    /// </param>
    /// <returns>The bound options.</returns>
    /// <exception cref="InvalidOperationException">
    /// A key matches no property (a typo), a value cannot be converted, or validation failed. The message names the
    /// configuration path and never repeats a value.
    /// </exception>
    public TOptions Bind<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        Action<IConfiguration, TOptions, Action<BinderOptions>> bind)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(bind);
        var options = new TOptions();
        ConfigurationBinding.Bind(Configuration, options, ConfigurationBinding.SourceReservedKeys, bind);
        ConfigurationBinding.Validate(Configuration, options);
        return options;
    }
}
