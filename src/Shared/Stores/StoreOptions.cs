using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Shared;

/// <summary>
/// The one options pattern of the store packages: one public options type per store, validated by its generated
/// <c>[OptionsValidator]</c> and its <c>…CustomValidator</c>. In code, <c>Add…(…, configure)</c> configures a new
/// instance, validates it at once and keeps it; from configuration, the source's section is bound strictly, then
/// the named options of the same name (the source's key) add what only code can give
/// (<c>services.Configure&lt;TOptions&gt;("Vault", o =&gt; …)</c>), then the same validators run.
/// Compiled into the store packages from src/Shared.
/// </summary>
internal static class StoreOptions
{
    /// <summary>Configures and validates the options of a source added in code.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names the source and every problem.</exception>
    public static TOptions Configure<TOptions>(TOptions options, Action<TOptions>? configure, string sourceName, params IValidateOptions<TOptions>[] validators)
        where TOptions : class
    {
        configure?.Invoke(options);
        if (Failures(sourceName, options, validators) is { Count: > 0 } failures)
        {
            throw new ArgumentException($"{sourceName} is not configured correctly: {string.Join(" ", failures)}", nameof(configure));
        }

        return options;
    }

    /// <summary>Binds, completes from the named options of the source's key, and validates the options of a configured source.</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names the configuration path and every problem.</exception>
    /// <remarks>
    /// <paramref name="bind"/> is the binder call, <c>static (c, o, b) =&gt; c.Bind(o, b)</c>, written in the store's
    /// factory where the options type is concrete, so that the configuration binding source generator makes it trim-safe.
    /// </remarks>
    public static TOptions Bind<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        OpenAIKeySourceFactoryContext context,
        Action<IConfiguration, TOptions, Action<BinderOptions>> bind,
        params IValidateOptions<TOptions>[] validators)
        where TOptions : class, new()
    {
        var options = context.Bind(bind);
        var name = context.Configuration.Key;
        foreach (var setup in context.Services.GetServices<IConfigureOptions<TOptions>>())
        {
            if (setup is IConfigureNamedOptions<TOptions> named)
            {
                named.Configure(name, options);
            }
        }

        foreach (var setup in context.Services.GetServices<IPostConfigureOptions<TOptions>>())
        {
            setup.PostConfigure(name, options);
        }

        if (Failures(name, options, validators) is { Count: > 0 } failures)
        {
            throw new InvalidOperationException($"Configuration '{context.Configuration.Path}' is invalid: {string.Join(" ", failures)}");
        }

        return options;
    }

    private static List<string> Failures<TOptions>(string name, TOptions options, IValidateOptions<TOptions>[] validators)
        where TOptions : class
        => validators.Select(v => v.Validate(name, options)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).Distinct().ToList();
}
