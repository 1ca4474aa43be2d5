
namespace KeyVaulting;

/// <summary>
/// What an <see cref="IOpenAIKeySource"/> found: a key value, or the reason it has none.
/// </summary>
/// <remarks>
/// A source returns <see cref="NotFound(string)"/> when its store simply does not hold a key, so the provider moves on
/// to the next source of the chain. When the store fails, the source throws <see cref="OpenAIKeySourceException"/>
/// instead, and the chain stops: an outage must never silently switch an application to another key.
/// </remarks>
public sealed class OpenAIKeySourceResult
{
    private OpenAIKeySourceResult(string? value, string? version, DateTimeOffset? expiresAt, string? reason)
    {
        Value = value;
        Version = version;
        ExpiresAt = expiresAt;
        Reason = reason;
    }

    /// <summary>Gets a value indicating whether the source found a key.</summary>
    public bool IsFound => Value is not null;

    /// <summary>Gets the raw key value as read from the store, or <see langword="null"/> when none was found.</summary>
    /// <remarks>The provider normalizes it (trims white space, strips quotes or a <c>Bearer </c> prefix) and validates it.</remarks>
    public string? Value { get; }

    /// <summary>Gets the store's version identifier of the key, when the store has versions.</summary>
    public string? Version { get; }

    /// <summary>Gets when the key stops being valid according to the store, when known.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Gets why no key was found, or <see langword="null"/> when one was found. Never contains a secret.</summary>
    public string? Reason { get; }

    /// <summary>Creates a result for a key that was found.</summary>
    /// <param name="value">The raw key value as read from the store.</param>
    /// <param name="version">The store's version identifier of the key, when the store has versions.</param>
    /// <param name="expiresAt">When the key stops being valid, when the store says so.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static OpenAIKeySourceResult Found(string value, string? version = null, DateTimeOffset? expiresAt = null)
        => new(Throw.IfNull(value), version, expiresAt, reason: null);

    /// <summary>Creates a result for a store that holds no key, so the next source of the chain is tried.</summary>
    /// <param name="reason">Why no key was found, for example <c>the variable OPENAI_API_KEY is not set</c>. Never a secret:
    /// a part of it that has the shape of a key, a bearer token or a JWT is masked.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty.</exception>
    public static OpenAIKeySourceResult NotFound(string reason)
        => new(value: null, version: null, expiresAt: null, SecretShapes.MaskName(Throw.IfNullOrWhiteSpace(reason)));

    /// <summary>Describes the result without its value.</summary>
    /// <returns><c>Found</c> with the version, or <c>NotFound</c> with the reason.</returns>
    public override string ToString() => IsFound
        ? (Version is null ? "Found" : $"Found (version {Version})")
        : $"NotFound: {Reason}";
}
