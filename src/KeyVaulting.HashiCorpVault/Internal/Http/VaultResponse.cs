using System.Net;
using System.Text.Json;

namespace KeyVaulting.HashiCorpVault.Internal.Http;

/// <summary>
/// One answer from Vault: the status, the parsed JSON envelope (<c>data</c>, <c>auth</c>, <c>lease_duration</c>,
/// <c>renewable</c>, …) and its <c>errors</c> and <c>warnings</c>, already redacted of known secrets.
/// </summary>
internal sealed class VaultResponse : IDisposable
{
    public VaultResponse(HttpStatusCode statusCode, JsonDocument? document, IReadOnlyList<string> errors, IReadOnlyList<string> warnings, TimeSpan? retryAfter)
    {
        StatusCode = statusCode;
        Document = document;
        Errors = errors;
        Warnings = warnings;
        RetryAfter = retryAfter;
    }

    public HttpStatusCode StatusCode { get; }

    public int Status => (int)StatusCode;

    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>Gets the parsed body, or null when the body was empty.</summary>
    public JsonDocument? Document { get; }

    public IReadOnlyList<string> Errors { get; }

    public IReadOnlyList<string> Warnings { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets the <c>data</c> object of the envelope, when there is one.</summary>
    public JsonElement? Data => Property(Document?.RootElement, "data");

    /// <summary>Gets the <c>auth</c> object of the envelope, when there is one.</summary>
    public JsonElement? Auth => Property(Document?.RootElement, "auth");

    /// <summary>Gets the envelope's <c>lease_duration</c> in seconds; 0 when absent.</summary>
    public long LeaseDurationSeconds => Number(Document?.RootElement, "lease_duration") ?? 0;

    /// <summary>Describes the status and Vault's errors, for messages: <c>HTTP 403: permission denied</c>.</summary>
    public string Describe()
        => Errors.Count == 0 ? $"HTTP {Status}" : $"HTTP {Status}: {string.Join("; ", Errors)}";

    /// <summary>Returns whether any of Vault's errors contains <paramref name="text"/>, ignoring case.</summary>
    public bool HasError(string text) => Errors.Any(e => e.Contains(text, StringComparison.OrdinalIgnoreCase));

    public void Dispose() => Document?.Dispose();

    /// <summary>Gets a child object, or null when it is missing, null or not an object.</summary>
    public static JsonElement? Property(JsonElement? element, string name)
        => element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : null;

    /// <summary>Gets a whole number, or null when it is missing or not a number.</summary>
    public static long? Number(JsonElement? element, string name)
        => element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
           && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : null;

    /// <summary>Gets a boolean, or null when it is missing or not a boolean.</summary>
    public static bool? Boolean(JsonElement? element, string name)
        => element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
           && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;

    /// <summary>Gets a string, or null when it is missing or not a string.</summary>
    public static string? String(JsonElement? element, string name)
        => element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
