using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyVaulting.Integrations.Tests.Configuration;

/// <summary>
/// Writes a package's <c>ConfigurationSchema.json</c> (the JSON schema segment that Visual Studio merges into
/// <c>appsettings*.json</c> IntelliSense, as Aspire's packages ship theirs) from the options types that configuration
/// binds: every public settable property that configuration can set (code-only ones such as a transport are left out,
/// as the strict binder refuses them), its type, default, range and XML documentation summary.
/// </summary>
internal static class ConfigurationSchemaGenerator
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Describes an options type as a schema object; <paramref name="closed"/> forbids other keys (the binder does).</summary>
    public static JsonObject ObjectOf(Type options, bool closed, string? description = null)
    {
        var schema = new JsonObject { ["type"] = "object" };
        if (description is not null)
        {
            schema["description"] = description;
        }

        schema["properties"] = PropertiesOf(options);
        if (closed)
        {
            schema["additionalProperties"] = false;
        }

        return schema;
    }

    /// <summary>Describes each configurable property of an options type, sorted by name.</summary>
    public static JsonObject PropertiesOf(Type options, string? descriptionPrefix = null)
    {
        var defaults = Activator.CreateInstance(options, nonPublic: true);
        var properties = new JsonObject();
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.SetMethod is { IsPublic: true } && !IsCodeOnly(p.PropertyType))
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var schema = TypeOf(property.PropertyType);
            var summary = Describe(XmlDocumentation.Summary(property));
            if (summary is not null)
            {
                schema["description"] = descriptionPrefix + summary;
            }

            if (property.GetCustomAttribute<RangeAttribute>() is { } range && schema["type"]?.GetValue<string>() is "integer" or "number")
            {
                schema["minimum"] = JsonValue.Create(Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture));
                schema["maximum"] = JsonValue.Create(Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture));
            }

            if (DefaultOf(property.GetValue(defaults)) is { } value)
            {
                schema["default"] = value;
            }

            properties[property.Name] = schema;
        }

        return properties;
    }

    /// <summary>Serializes a schema the way the shipped files are written (two-space indents, a final line break).</summary>
    public static string Write(JsonObject schema) => schema.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";

    /// <summary>A property's summary as a setting's description: "Gets or sets the X" becomes "The X".</summary>
    private static string? Describe(string? summary)
    {
        const string Whether = "Gets or sets a value indicating whether ";
        const string GetsOrSets = "Gets or sets ";
        if (summary is null)
        {
            return null;
        }

        if (summary.StartsWith(Whether, StringComparison.Ordinal))
        {
            return "Whether " + summary[Whether.Length..];
        }

        return summary.StartsWith(GetsOrSets, StringComparison.Ordinal) && summary.Length > GetsOrSets.Length
            ? char.ToUpperInvariant(summary[GetsOrSets.Length]) + summary[(GetsOrSets.Length + 1)..]
            : summary;
    }

    private static JsonObject TypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
        {
            return new JsonObject { ["type"] = "integer" };
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return new JsonObject { ["type"] = "number" };
        }

        if (type == typeof(TimeSpan))
        {
            // The binder reads TimeSpan's invariant format: [d.]hh:mm:ss[.fffffff].
            return new JsonObject { ["type"] = "string", ["pattern"] = @"^-?(\d+\.)?\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,7})?)?$" };
        }

        if (type == typeof(Uri))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "uri" };
        }

        if (type.IsEnum)
        {
            return new JsonObject { ["enum"] = new JsonArray([.. Enum.GetNames(type).Select(n => (JsonNode)JsonValue.Create(n))]) };
        }

        if (type.IsArray || (type.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(type)))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[^1];
            return new JsonObject { ["type"] = "array", ["items"] = TypeOf(element) };
        }

        return ObjectOf(type, closed: true);
    }

    private static JsonNode? DefaultOf(object? value) => value switch
    {
        null => null,
        string s when s.Length == 0 => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
        Uri u => JsonValue.Create(u.ToString()),
        Enum e => JsonValue.Create(e.ToString()),
        _ => null,
    };

    /// <summary>The strict binder's rule: a delegate, or an abstract type or interface that is neither a collection nor convertible from a string.</summary>
    private static bool IsCodeOnly(Type type)
        => typeof(Delegate).IsAssignableFrom(type)
           || ((type.IsAbstract || type.IsInterface)
               && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
               && !TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)));
}
