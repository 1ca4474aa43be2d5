using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Sources.Configuration;

/// <summary>
/// Binds configuration strictly: a key that matches no setting is an error that names the path, and conversion
/// errors never repeat the configured value.
/// </summary>
internal static class ConfigurationBinding
{
    public static readonly string[] SourceReservedKeys = ["Type"];

    public static void Bind(IConfiguration configuration, object options, IReadOnlyCollection<string> ignoredKeys)
    {
        var path = configuration is IConfigurationSection section ? section.Path : "(root)";
        var settable = options.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } || IsBindableCollection(p))
            .Select(p => p.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var unknown = configuration.GetChildren()
            .Select(c => c.Key)
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
