namespace KeyVaulting.KeyShapes;

/// <summary>
/// Where a key-shaped string was found in a text, its kind and its fingerprint. It holds no part of the key beyond the
/// fingerprint, so it is safe to log or show.
/// </summary>
internal readonly struct OpenAIKeyMatch
{
    /// <summary>Initializes a new instance of the <see cref="OpenAIKeyMatch"/> struct.</summary>
    /// <param name="index">The index of the key's first character in the text.</param>
    /// <param name="length">The key's length.</param>
    /// <param name="kind">The kind of key its prefix says it is.</param>
    /// <param name="fingerprint">The key's fingerprint, for example <c>sk-proj-…Xy3Q</c>.</param>
    public OpenAIKeyMatch(int index, int length, OpenAIKeyKind kind, string fingerprint)
    {
        Index = index;
        Length = length;
        Kind = kind;
        Fingerprint = fingerprint;
    }

    /// <summary>Gets the index of the key's first character in the text.</summary>
    public int Index { get; }

    /// <summary>Gets the key's length.</summary>
    public int Length { get; }

    /// <summary>Gets the kind of key its prefix says it is.</summary>
    public OpenAIKeyKind Kind { get; }

    /// <summary>Gets the key's fingerprint, in the format of <c>OpenAIKey.Fingerprint</c>: <c>sk-proj-…Xy3Q</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>Returns the kind and the fingerprint, never the key.</summary>
    /// <returns>For example <c>project key sk-proj-…Xy3Q</c>.</returns>
    public override string ToString() => OpenAIKeyShapes.Describe(Kind) + " " + Fingerprint;
}
