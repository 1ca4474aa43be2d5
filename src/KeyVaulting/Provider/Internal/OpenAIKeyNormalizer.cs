namespace KeyVaulting.Provider.Internal;

/// <summary>What normalization changed or noticed about a key value; flags, never the value.</summary>
[Flags]
internal enum KeyNormalizationNotes
{
    None = 0,
    QuotesStripped = 1,
    BearerPrefixStripped = 2,
    AdminKey = 4,
    UnknownShape = 8,
}

/// <summary>
/// Normalizes a raw value from a store into a key: trims white space and line breaks, strips surrounding quotes and a
/// <c>Bearer </c> prefix, and rejects values that can never be sent as a key. Messages say what is wrong, never the
/// value nor anything measured on it (its length, where the bad character is).
/// </summary>
internal static class OpenAIKeyNormalizer
{
    public static bool TryNormalize(string raw, out string value, out KeyNormalizationNotes notes, out string? error)
    {
        notes = KeyNormalizationNotes.None;
        value = string.Empty;
        var span = raw.AsSpan().Trim();

        // Quotes and the Bearer prefix may nest in either order ("Bearer sk-…" or Bearer "sk-…").
        for (var pass = 0; pass < 2; pass++)
        {
            if (span.Length >= 2 && (span[0] == '"' || span[0] == '\'') && span[^1] == span[0])
            {
                span = span[1..^1].Trim();
                notes |= KeyNormalizationNotes.QuotesStripped;
            }

            if (span.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                span = span["Bearer ".Length..].Trim();
                notes |= KeyNormalizationNotes.BearerPrefixStripped;
            }
            else if (span.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                span = [];
            }
        }

        if (span.IsEmpty)
        {
            error = "is empty (or only white space, quotes or a 'Bearer' prefix)";
            return false;
        }

        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsWhiteSpace(c))
            {
                error = "contains white space or a line break inside it; a key is one unbroken token";
                return false;
            }

            if (char.IsControl(c))
            {
                error = "contains a control character";
                return false;
            }

            if (c > '\u007e')
            {
                error = "contains a non-ASCII character; OpenAI keys are ASCII";
                return false;
            }
        }

        if (span.StartsWith("sk-admin-", StringComparison.Ordinal))
        {
            // Stryker disable once Assignment : the flag is set once, on a value that never has it yet: |= and ^= agree
            notes |= KeyNormalizationNotes.AdminKey;
        }
        else if (!StartsWithKnownPrefix(span))
        {
            // Stryker disable once Assignment : the flag is set once, on a value that never has it yet: |= and ^= agree
            notes |= KeyNormalizationNotes.UnknownShape;
        }

        error = null;
        // Stryker disable once Conditional : the raw string or a copy of it holds the same value; this only spares a copy
        value = span.Length == raw.Length ? raw : span.ToString();
        return true;
    }

    private static bool StartsWithKnownPrefix(ReadOnlySpan<char> span) => OpenAIKeyPrefixes.Of(span).Length > 0;
}
