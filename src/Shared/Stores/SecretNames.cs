namespace KeyVaulting.Shared;

/// <summary>
/// Tells whether a setting that should hold a name (a secret name, a path, a JSON field) holds a secret instead: an
/// OpenAI key, a JWT or a bearer token pasted in the wrong place. Such a name is refused without being repeated, since
/// it would otherwise reach messages, logs and metric tags. Only a value that <em>starts</em> like a secret counts:
/// <see cref="SecretShapes"/> also masks a key shape inside longer text, and a name such as <c>task-openai-…</c> is
/// not a key. Compiled into the store packages from src/Shared.
/// </summary>
internal static class SecretNames
{
    public static bool LooksLikeSecret(string? value)
        => value is not null
           && (value.StartsWith("sk-", StringComparison.Ordinal) || value.StartsWith("eyJ", StringComparison.Ordinal) || value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
           && SecretShapes.Mask(value) != value;
}
