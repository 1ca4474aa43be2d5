using System.Diagnostics.CodeAnalysis;
using KeyVaulting;
using KeyVaulting.Rotation.Internal;
using KeyVaulting.Rotation.Targets.DotEnv;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the store an automated key rotation writes to.</summary>
public static class OpenAIKeyRotationBuilderExtensions
{
    /// <summary>
    /// Rotates the key of a <c>.env</c> file (development): the variable's line is rewritten in place by an atomic
    /// replace, every other byte and the file's permissions kept. Read the key with <c>AddDotEnvFile</c> and the same
    /// path and variable.
    /// </summary>
    /// <param name="builder">The rotation builder.</param>
    /// <param name="path">The file's path; a relative path is also looked for in the parent directories. Default: <c>.env</c>.</param>
    /// <param name="variable">The variable in the file. Default: <c>OPENAI_API_KEY</c>.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyRotationBuilder UseDotEnvFile(this IOpenAIKeyRotationBuilder builder, string path = ".env", string variable = "OPENAI_API_KEY")
    {
        Throw.IfNullOrWhiteSpace(path);
        Throw.IfNullOrWhiteSpace(variable);
        return builder.UseDotEnvFile(options =>
        {
            options.Path = path;
            options.Variable = variable;
        });
    }

    /// <summary>Rotates the key of a <c>.env</c> file, described with the same options as its source.</summary>
    /// <param name="builder">The rotation builder.</param>
    /// <param name="configure">Configures the file's path, variable and parent-directory search.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyRotationBuilder UseDotEnvFile(this IOpenAIKeyRotationBuilder builder, Action<DotEnvFileKeySourceOptions> configure)
    {
        Throw.IfNull(builder);
        Throw.IfNull(configure);
        var options = new DotEnvFileKeySourceOptions();
        configure(options);
        _ = new DotEnvFileRotationTarget(options, Logging.Abstractions.NullLogger.Instance); // checks the options now
        return builder.UseTarget(sp => DotEnvFileRotationTargetFactory.Create(options, sp));
    }

    /// <summary>Rotates the key of any store, through its <see cref="IOpenAIKeyRotationTarget"/>. The application keeps ownership of the instance.</summary>
    /// <param name="builder">The rotation builder.</param>
    /// <param name="target">The store's rotation target.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyRotationBuilder UseTarget(this IOpenAIKeyRotationBuilder builder, IOpenAIKeyRotationTarget target)
    {
        Throw.IfNull(target);
        return builder.UseTarget(_ => target);
    }

    /// <summary>Rotates the key of any store, through an <see cref="IOpenAIKeyRotationTarget"/> created from the application's services.</summary>
    /// <param name="builder">The rotation builder.</param>
    /// <param name="factory">Creates the target when the rotator is first resolved.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyRotationBuilder UseTarget(this IOpenAIKeyRotationBuilder builder, Func<IServiceProvider, IOpenAIKeyRotationTarget> factory)
    {
        Throw.IfNull(builder);
        Throw.IfNull(factory);
        builder.Services.Configure<OpenAIKeyRotationTargetOptions>(builder.Name, o => o.Factory = factory);
        return builder;
    }

    /// <summary>Registers a target factory so that the rotation's <c>Target</c> configuration can select its store by <c>Type</c>.</summary>
    /// <typeparam name="TFactory">The factory type.</typeparam>
    /// <param name="builder">The rotation builder.</param>
    /// <returns>The builder.</returns>
    public static IOpenAIKeyRotationBuilder AddTargetFactory<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFactory>(this IOpenAIKeyRotationBuilder builder)
        where TFactory : class, IOpenAIKeyRotationTargetFactory
    {
        Throw.IfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOpenAIKeyRotationTargetFactory, TFactory>());
        return builder;
    }
}
