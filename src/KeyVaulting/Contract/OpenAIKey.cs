using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace KeyVaulting;

/// <summary>
/// An OpenAI API key: the secret <see cref="Value"/> plus non-secret metadata about where and when it was read.
/// </summary>
/// <remarks>
/// <para>
/// The value appears in exactly one place, the <see cref="Value"/> property. <see cref="ToString"/>, the debugger
/// display and JSON serialization show the <see cref="Fingerprint"/> instead (for example <c>sk-proj-…Xy3Q</c>),
/// which matches what the OpenAI dashboard shows for the key.
/// </para>
/// <para>
/// Two keys are equal when their values are equal; the comparison runs in constant time.
/// </para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class OpenAIKey : IEquatable<OpenAIKey>
{
    /// <summary>
    /// Initializes a new instance of the <see cref="OpenAIKey"/> class.
    /// </summary>
    /// <param name="value">The secret value. It must already be normalized: no surrounding or inner white space, no control characters.</param>
    /// <param name="source">The name of the source the key came from, for example <c>Environment:OPENAI_API_KEY</c>. Never a
    /// secret: a part of it that has the shape of one (a key given where a name was expected) is masked.</param>
    /// <param name="version">The store's version identifier of the key, when the store has versions.</param>
    /// <param name="retrievedAt">When the key was read from the source.</param>
    /// <param name="expiresAt">When the key stops being valid, when the store says so.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty or contains white space or control characters.</exception>
    public OpenAIKey(string value, string source, string? version = null, DateTimeOffset retrievedAt = default, DateTimeOffset? expiresAt = null)
    {
        Throw.IfNull(value);
        Throw.IfNullOrWhiteSpace(source);
        source = SecretShapes.MaskName(source);

        if (value.Length == 0)
        {
            throw new ArgumentException($"The API key from source '{source}' is empty.", nameof(value));
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                // Never echo the value, not even a part of it.
                throw new ArgumentException($"The API key from source '{source}' contains white space or control characters.", nameof(value));
            }
        }

        Value = value;
        Source = source;
        Version = version;
        RetrievedAt = retrievedAt;
        ExpiresAt = expiresAt;
        Fingerprint = CreateFingerprint(value);
    }

    /// <summary>Gets the secret value of the key. Send it to OpenAI; never log it.</summary>
    [JsonIgnore]
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string Value { get; }

    /// <summary>Gets the name of the source the key came from, for example <c>AzureKeyVault:openai-api-key</c>.</summary>
    public string Source { get; }

    /// <summary>Gets the store's version identifier of the key, or <see langword="null"/> when the store has no versions.</summary>
    public string? Version { get; }

    /// <summary>
    /// Gets a non-secret fingerprint of the key: its known prefix and its last four characters, for example
    /// <c>sk-proj-…Xy3Q</c>. Keys shorter than 20 characters show no characters at all.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Gets when the key was read from its source.</summary>
    public DateTimeOffset RetrievedAt { get; }

    /// <summary>Gets when the key stops being valid according to its store, or <see langword="null"/> when unknown.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Determines whether two keys have the same value, in constant time.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when both are <see langword="null"/> or their values are equal.</returns>
    public static bool operator ==(OpenAIKey? left, OpenAIKey? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Determines whether two keys have different values, in constant time.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when the values differ.</returns>
    public static bool operator !=(OpenAIKey? left, OpenAIKey? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(OpenAIKey? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(Value.AsSpan()),
            MemoryMarshal.AsBytes(other.Value.AsSpan()));
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as OpenAIKey);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Returns the fingerprint and the source, never the value: <c>sk-proj-…Xy3Q (Environment:OPENAI_API_KEY)</c>.</summary>
    /// <returns>A description of the key that is safe to log.</returns>
    public override string ToString() => Version is null
        ? $"{Fingerprint} ({Source})"
        : $"{Fingerprint} ({Source}, version {Version})";

    internal static string CreateFingerprint(string value)
    {
        var prefix = OpenAIKeyPrefixes.Of(value);

        // Short values are not real keys; showing four characters of them would reveal too much.
        return value.Length >= 20
            ? string.Concat(prefix, "…", value.AsSpan(value.Length - 4))
            : prefix + "…";
    }
}
