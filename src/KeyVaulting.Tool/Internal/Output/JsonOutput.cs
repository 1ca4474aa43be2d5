using System.Text.Json;
using System.Text.Json.Serialization;

namespace KeyVaulting.Tool.Internal.Output;

/// <summary>The <c>--json</c> document's settings: camelCase names, enums as camelCase strings, indented, nulls left out.</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
