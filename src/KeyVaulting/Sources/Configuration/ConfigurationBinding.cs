using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Sources.Configuration;

/// <summary>
/// Binds configuration strictly with the configuration binder (<see cref="BinderOptions.ErrorOnUnknownConfiguration"/>)
/// and shapes its errors: a key that matches no setting names the path, the key, the valid settings and the fix; a key
/// that names a setting only code can give (a transport, a credential, a delegate) says so; a value that cannot be
/// converted names the setting and never repeats the value (the binder's message and inner exception may).
/// </summary>
/// <remarks>
/// Reserved keys (a source's <c>Type</c>, a provider's <c>Chain</c> and <c>Sources</c>) are hidden from the binder by
/// <see cref="ConfigurationWithoutKeys"/>. The caller passes the binder call itself (<c>(c, o, b) =&gt; c.Bind(o, b)</c>)
/// with the options' concrete type, so that the configuration binding source generator replaces it with generated,
/// trim-safe code.
/// </remarks>
internal static partial class ConfigurationBinding
{
    public static readonly string[] SourceReservedKeys = ["Type"];

    public static void Bind<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        IConfiguration configuration,
        TOptions options,
        IReadOnlyCollection<string> reservedKeys,
        Action<IConfiguration, TOptions, Action<BinderOptions>> bind)
        where TOptions : class
    {
        var path = PathOf(configuration);
        var properties = typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var keys = configuration.GetChildren().Select(c => c.Key).ToList();

        // The binder cannot tell "an object only code can give" from a typo or a bad value: say it before binding.
        var inCode = properties.FirstOrDefault(p => p.SetMethod is { IsPublic: true } && IsCodeOnly(p.PropertyType)
                                                    && keys.Contains(p.Name, StringComparer.OrdinalIgnoreCase));
        if (inCode is not null)
        {
            throw new InvalidOperationException(
                $"Configuration '{path}:{inCode.Name}' cannot be read from configuration: {inCode.Name} is an object " +
                $"({(Nullable.GetUnderlyingType(inCode.PropertyType) ?? inCode.PropertyType).Name}) that only code can give. Remove the key from " +
                $"configuration and set {typeof(TOptions).Name}.{inCode.Name} in code, in the Action<{typeof(TOptions).Name}> given when registering.");
        }

        try
        {
            bind(new ConfigurationWithoutKeys(configuration, reservedKeys), options, static o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            // Not rethrown, nor kept as the inner exception: the binder's message and its inner exception may repeat the value.
            var settable = properties.Where(p => (p.SetMethod is { IsPublic: true } || IsBindableCollection(p)) && !IsCodeOnly(p.PropertyType))
                .Select(p => p.Name)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            var unknown = keys.Where(k => !settable.Contains(k) && !reservedKeys.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Configuration '{path}' has unknown setting(s) {string.Join(", ", unknown.Select(k => $"'{k}'"))}. " +
                    $"Valid settings are: {string.Join(", ", settable.Concat(reservedKeys).Order(StringComparer.Ordinal))}. Check the spelling.");
            }

            throw new InvalidOperationException(
                $"Configuration '{FailedPath(path, ex.Message)}' has a value that cannot be converted to the setting's type, or an unknown setting. Fix the value.");
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "TOptions' public properties, and so their validation attributes, are kept by DynamicallyAccessedMembers; validation does not recurse into other types.")]
    public static void Validate<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(IConfiguration configuration, TOptions options)
        where TOptions : class
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return;
        }

        var path = PathOf(configuration);
        var errors = results.Select(r => r.MemberNames.Any()
            ? $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"
            : $"{path}: {r.ErrorMessage}");
        throw new InvalidOperationException("Invalid configuration: " + string.Join("; ", errors));
    }

    private static string PathOf(IConfiguration configuration) => configuration is IConfigurationSection section ? section.Path : "(root)";

    /// <summary>
    /// Whether a setting's type is an object configuration cannot describe: a delegate, or an abstract class or an
    /// interface that is not a collection (a transport, a credential, a handler).
    /// </summary>
    private static bool IsCodeOnly(Type type)
        => typeof(Delegate).IsAssignableFrom(type)
           || ((type.IsAbstract || type.IsInterface) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type));

    private static bool IsBindableCollection(PropertyInfo property)
        => property.GetMethod is { IsPublic: true } && property.PropertyType != typeof(string)
           && typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType);

    /// <summary>
    /// The path of the setting the binder failed to convert, from its message ("… at '{path}' to type '{type}'."), if
    /// it lies under <paramref name="path"/>; otherwise <paramref name="path"/>. Only a path is taken, never a value.
    /// </summary>
    private static string FailedPath(string path, string message)
        => FailedConversion().Match(message) is { Success: true } match
           && match.Groups["path"].Value is var failed
           && (path == "(root)" || failed.StartsWith(path + ":", StringComparison.OrdinalIgnoreCase))
            ? failed
            : path;

    [GeneratedRegex(@" at '(?<path>[^']+)' to type '[^']*'\.?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FailedConversion();
}
