using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Sources.Configuration;

/// <summary>
/// Binds configuration strictly: a key that matches no setting is an error that names the path, a key that names a
/// setting only code can give (an object such as a transport or a credential) is an error that says so, and conversion
/// errors never repeat the configured value.
/// </summary>
internal static class ConfigurationBinding
{
    public static readonly string[] SourceReservedKeys = ["Type"];

    public static void Bind(IConfiguration configuration, object options, IReadOnlyCollection<string> ignoredKeys)
    {
        var path = configuration is IConfigurationSection section ? section.Path : "(root)";
        var properties = options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var codeOnly = properties
            .Where(p => p.SetMethod is { IsPublic: true } && IsCodeOnly(p.PropertyType))
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var settable = properties
            .Where(p => (p.SetMethod is { IsPublic: true } || IsBindableCollection(p)) && !codeOnly.ContainsKey(p.Name))
            .Select(p => p.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var keys = configuration.GetChildren().Select(c => c.Key).ToList();
        var inCode = keys.Where(codeOnly.ContainsKey).ToList();
        if (inCode.Count > 0)
        {
            var property = codeOnly[inCode[0]];
            throw new InvalidOperationException(string.Format(
                CultureInfo.InvariantCulture,
                "Configuration '{0}:{1}' cannot be read from configuration: {1} is an object ({2}) that only code can give. Remove the key from configuration and set {3}.{1} in code, in the Action<{3}> given when registering.",
                path,
                property.Name,
                (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).Name,
                options.GetType().Name));
        }

        var unknown = keys
            .Where(k => !settable.Contains(k) && !ignoredKeys.Contains(k, StringComparer.OrdinalIgnoreCase))
            .ToList();

        if (unknown.Count > 0)
        {
            var valid = settable.Concat(ignoredKeys).OrderBy(n => n, StringComparer.Ordinal);
            throw new InvalidOperationException(string.Format(
                CultureInfo.InvariantCulture,
                "Configuration '{0}' has unknown setting(s) {1}. Valid settings are: {2}. Check the spelling.",
                path,
                string.Join(", ", unknown.Select(k => $"'{k}'")),
                string.Join(", ", valid)));
        }

        try
        {
            configuration.Bind(options, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException)
        {
            // The binder's message (and its inner exception) repeat the configured value; ours names only the setting.
            var failed = FindUnconvertibleSetting(configuration, options) ?? path;
            throw new InvalidOperationException(
                $"Configuration '{failed}' has a value that cannot be converted to the setting's type. Fix the value.");
        }
    }

    public static void Validate(IConfiguration configuration, object options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return;
        }

        var path = configuration is IConfigurationSection section ? section.Path : "(root)";
        var errors = results.Select(r => r.MemberNames.Any()
            ? $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"
            : $"{path}: {r.ErrorMessage}");
        throw new InvalidOperationException("Invalid configuration: " + string.Join("; ", errors));
    }

    /// <summary>
    /// Whether a setting's type is an object configuration cannot describe: a delegate, or an abstract class or an
    /// interface that is neither a collection nor convertible from a string (a transport, a credential, a handler).
    /// </summary>
    private static bool IsCodeOnly(Type type)
        => typeof(Delegate).IsAssignableFrom(type)
           || ((type.IsAbstract || type.IsInterface)
               && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
               && !TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)));

    private static bool IsBindableCollection(PropertyInfo property)
        => property.GetMethod is { IsPublic: true } && property.PropertyType != typeof(string)
           && typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType);

    private static string? FindUnconvertibleSetting(IConfiguration configuration, object options)
    {
        foreach (var child in configuration.GetChildren())
        {
            var property = options.GetType().GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || child.Value is null)
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            try
            {
                TypeDescriptor.GetConverter(type).ConvertFromInvariantString(child.Value);
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
            {
                return child.Path;
            }
        }

        return null;
    }
}
