using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace KeyVaulting.Integrations.Tests.Configuration;

/// <summary>Reads a property's <c>&lt;summary&gt;</c> from the XML documentation file beside its assembly, as plain text.</summary>
internal static partial class XmlDocumentation
{
    private static readonly Dictionary<Assembly, IReadOnlyDictionary<string, string>> Cache = [];

    public static string? Summary(PropertyInfo property)
    {
        var members = Load(property.DeclaringType!.Assembly);
        var id = $"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}";
        return members.TryGetValue(id, out var summary) ? summary : null;
    }

    private static IReadOnlyDictionary<string, string> Load(Assembly assembly)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(assembly, out var cached))
            {
                return cached;
            }

            var path = Path.ChangeExtension(assembly.Location, ".xml");
            var members = new Dictionary<string, string>(StringComparer.Ordinal);
            if (File.Exists(path))
            {
                foreach (var member in XDocument.Load(path).Descendants("member"))
                {
                    if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
                    {
                        members[name] = Text(summary);
                    }
                }
            }

            return Cache[assembly] = members;
        }
    }

    /// <summary>The element's text with <c>&lt;c&gt;</c>, <c>&lt;see cref&gt;</c> and <c>&lt;see langword&gt;</c> flattened, white space collapsed.</summary>
    private static string Text(XElement element)
    {
        var parts = element.Nodes().Select(node => node switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "see" or "seealso" } see => see.Attribute("langword")?.Value
                ?? ShortName(see.Attribute("cref")?.Value) ?? see.Value,
            XElement { Name.LocalName: "paramref" or "typeparamref" } reference => reference.Attribute("name")?.Value ?? string.Empty,
            XElement other => Text(other),
            _ => string.Empty,
        });
        return Spaces().Replace(string.Concat(parts), " ").Trim();
    }

    private static string? ShortName(string? cref)
    {
        if (cref is null)
        {
            return null;
        }

        var name = cref[(cref.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var parenthesis = name.IndexOf('(', StringComparison.Ordinal);
        if (parenthesis >= 0)
        {
            name = name[..parenthesis];
        }

        var segments = name.Split('.');
        return segments.Length >= 2 && char.IsUpper(segments[^2][0]) && cref.StartsWith("P:", StringComparison.Ordinal)
            ? $"{segments[^2]}.{segments[^1]}"
            : segments[^1];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
