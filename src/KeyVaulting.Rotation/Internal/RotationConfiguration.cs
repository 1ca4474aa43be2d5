using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// Binds <see cref="OpenAIKeyRotationOptions"/> strictly, like the rest of the library: a key that matches no setting
/// is an error that names its path and lists the valid ones, and a value that cannot be converted is an error that
/// names the setting, never the value. <c>Target</c> is the target's own section.
/// </summary>
internal static class RotationConfiguration
{
    public const string TargetKey = "Target";

    public static void Bind(IConfiguration configuration, OpenAIKeyRotationOptions options)
    {
        var path = configuration is IConfigurationSection section ? section.Path : "(root)";
        var properties = typeof(OpenAIKeyRotationOptions)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } || p.Name == nameof(OpenAIKeyRotationOptions.Scopes))
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

        var unknown = configuration.GetChildren()
            .Select(c => c.Key)
            .Where(k => !properties.ContainsKey(k) && !string.Equals(k, TargetKey, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"Configuration '{path}' has unknown setting(s) {string.Join(", ", unknown.Select(k => $"'{k}'"))}. Valid settings are: {string.Join(", ", properties.Keys.Append(TargetKey).Order(StringComparer.Ordinal))}. Check the spelling.");
        }

        foreach (var child in configuration.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                continue;
            }

            if (property.Name == nameof(OpenAIKeyRotationOptions.Scopes))
            {
                options.Scopes.Clear();
                foreach (var scope in child.Value is { } single ? [single] : child.GetChildren().Select(c => c.Value))
                {
                    if (!string.IsNullOrWhiteSpace(scope))
                    {
                        options.Scopes.Add(scope);
                    }
                }

                continue;
            }

            if (child.Value is null)
            {
                throw new InvalidOperationException($"Configuration '{child.Path}' must be a single value, not a section.");
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object? value;
            try
            {
                value = child.Value.Length == 0 && (Nullable.GetUnderlyingType(property.PropertyType) is not null || !property.PropertyType.IsValueType)
                    ? null
                    : type == typeof(Uri)
                        ? new Uri(child.Value, UriKind.RelativeOrAbsolute)
                        : TypeDescriptor.GetConverter(type).ConvertFromInvariantString(child.Value);
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException or UriFormatException)
            {
                throw new InvalidOperationException($"Configuration '{child.Path}' has a value that cannot be converted to {type.Name}. Fix the value.");
            }

            property.SetValue(options, value);
        }
    }
}
