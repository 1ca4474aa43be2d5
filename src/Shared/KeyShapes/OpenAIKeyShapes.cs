namespace KeyVaulting.KeyShapes;

/// <summary>
/// Recognizes OpenAI API keys in text: the analyzer (string constants, settings files) and the <c>keyvaulting</c> tool
/// (the working tree, git history) use this one definition. No Roslyn, no regular expressions: it compiles for
/// netstandard2.0 and for the tool alike, and costs one ordinal search for text without <c>sk-</c>.
/// </summary>
/// <remarks>
/// <para>
/// A key is a token of the characters <c>A-Z a-z 0-9 - _</c> that starts with <c>sk-</c> after a character outside
/// that set (or at the start of the text) and is one of:
/// <c>sk-proj-</c>, <c>sk-svcacct-</c> or <c>sk-admin-</c> followed by a random body; or <c>sk-</c> followed by a random
/// body with <c>T3BlbkFJ</c> inside (the older user keys, <c>sk-</c> + 48 characters, and <c>sk-None-…</c>).
/// </para>
/// <para>
/// "Random" keeps placeholders and generated test keys out: the body has at least <see cref="MinimumBodyLength"/>
/// characters, upper- and lower-case letters and a digit, at least <see cref="MinimumDistinctCharacters"/> different
/// characters, and no character repeated <see cref="MaximumRepeat"/> times in a row or more. <c>sk-proj-...</c>,
/// <c>sk-proj-your-key-here</c>, <c>sk-proj-AAAA…A</c> and <c>sk-proj-DEMO-xxxxxxxxxxxx0001</c> are not keys; a real
/// key's body (48 random characters or more) passes with certainty for all practical purposes.
/// </para>
/// </remarks>
internal static class OpenAIKeyShapes
{
    /// <summary>The fewest characters after the prefix for a key: real keys have 48 or more.</summary>
    public const int MinimumBodyLength = 40;

    /// <summary>The fewest different characters in a key's body: 48 random characters have about 34.</summary>
    public const int MinimumDistinctCharacters = 12;

    /// <summary>A character repeated this many times in a row marks a placeholder (<c>xxxxxx</c>); in random keys, about one in ten million has it.</summary>
    public const int MaximumRepeat = 6;

    /// <summary>The shortest key that shows its last four characters in a fingerprint, as <c>OpenAIKey</c> does.</summary>
    private const int FingerprintTailMinimumLength = 20;

    private const string KeyStart = "sk-";

    /// <summary>"OpenAI" in base64: the marker inside the older user keys.</summary>
    private const string UserKeyMarker = "T3BlbkFJ";

    /// <summary>The prefixes a fingerprint shows, longest first; the same list as <c>OpenAIKey</c>'s.</summary>
    private static readonly string[] FingerprintPrefixes = { "sk-proj-", "sk-svcacct-", "sk-admin-", "sk-" };

    /// <summary>Returns whether <paramref name="text"/> can hold a key at all: it contains <c>sk-</c>.</summary>
    /// <param name="text">The text to look at.</param>
    /// <returns><see langword="false"/> when no key can be in the text.</returns>
    public static bool MayContainKey(string text) => text.IndexOf(KeyStart, StringComparison.Ordinal) >= 0;

    /// <summary>Finds every key-shaped token in <paramref name="text"/>, in order.</summary>
    /// <param name="text">The text to search: a string constant, a file's content, a line.</param>
    /// <returns>The keys found, empty when there is none.</returns>
    public static IReadOnlyList<OpenAIKeyMatch> FindAll(string text)
    {
        List<OpenAIKeyMatch>? matches = null;
        var start = text.IndexOf(KeyStart, StringComparison.Ordinal);
        while (start >= 0)
        {
            var next = start + KeyStart.Length;
            if (start == 0 || !IsKeyCharacter(text[start - 1]))
            {
                var end = next;
                while (end < text.Length && IsKeyCharacter(text[end]))
                {
                    end++;
                }

                if (TryClassify(text, start, end - start, out var kind))
                {
                    matches ??= new List<OpenAIKeyMatch>();
                    matches.Add(new OpenAIKeyMatch(start, end - start, kind, Fingerprint(text.Substring(start, end - start))));
                }

                next = end;
            }

            start = next < text.Length ? text.IndexOf(KeyStart, next, StringComparison.Ordinal) : -1;
        }

        return matches ?? (IReadOnlyList<OpenAIKeyMatch>)Array.Empty<OpenAIKeyMatch>();
    }

    /// <summary>Returns whether the whole of <paramref name="value"/> is one key, and which kind.</summary>
    /// <param name="value">The value, for example one read from a store or a setting.</param>
    /// <param name="kind">The kind of key, when it is one.</param>
    /// <returns><see langword="true"/> when the value is exactly one key-shaped token.</returns>
    public static bool IsKey(string value, out OpenAIKeyKind kind)
    {
        kind = default;
        return value.StartsWith(KeyStart, StringComparison.Ordinal)
            && AllKeyCharacters(value)
            && TryClassify(value, 0, value.Length, out kind);
    }

    /// <summary>
    /// Returns the fingerprint of a value in the format of <c>OpenAIKey.Fingerprint</c>: its known prefix and, for values
    /// of 20 characters or more, its last four characters (<c>sk-proj-…Xy3Q</c>); shorter values show none (<c>…</c>).
    /// </summary>
    /// <param name="value">The key, or any value passed where a key belongs.</param>
    /// <returns>A text that is safe to show.</returns>
    public static string Fingerprint(string value)
    {
        var prefix = string.Empty;
        foreach (var known in FingerprintPrefixes)
        {
            if (value.StartsWith(known, StringComparison.Ordinal))
            {
                prefix = known;
                break;
            }
        }

        return value.Length >= FingerprintTailMinimumLength
            ? prefix + "…" + value.Substring(value.Length - 4)
            : prefix + "…";
    }

    /// <summary>Names a kind of key for a message: <c>project key</c>, <c>service account key</c>, <c>admin key</c>, <c>user key</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The words for it.</returns>
    public static string Describe(OpenAIKeyKind kind) => kind switch
    {
        OpenAIKeyKind.Project => "project key",
        OpenAIKeyKind.ServiceAccount => "service account key",
        OpenAIKeyKind.Admin => "admin key",
        _ => "user key",
    };

    private static bool TryClassify(string text, int start, int length, out OpenAIKeyKind kind)
    {
        int prefixLength;
        if (HasPrefix(text, start, "sk-proj-"))
        {
            kind = OpenAIKeyKind.Project;
            prefixLength = 8;
        }
        else if (HasPrefix(text, start, "sk-svcacct-"))
        {
            kind = OpenAIKeyKind.ServiceAccount;
            prefixLength = 11;
        }
        else if (HasPrefix(text, start, "sk-admin-"))
        {
            kind = OpenAIKeyKind.Admin;
            prefixLength = 9;
        }
        else
        {
            kind = OpenAIKeyKind.User;
            prefixLength = KeyStart.Length;
            if (text.IndexOf(UserKeyMarker, start, length, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return IsRandomBody(text, start + prefixLength, length - prefixLength);
    }

    private static bool IsRandomBody(string text, int start, int length)
    {
        if (length < MinimumBodyLength)
        {
            return false;
        }

        // One bit per key character (64 of them), so counting distinct characters allocates nothing.
        ulong seen = 0;
        bool upper = false, lower = false, digit = false;
        var run = 0;
        for (var i = start; i < start + length; i++)
        {
            var c = text[i];
            run = i > start && text[i - 1] == c ? run + 1 : 1;
            if (run >= MaximumRepeat)
            {
                return false;
            }

            int bit;
            if (c is >= 'A' and <= 'Z')
            {
                upper = true;
                bit = c - 'A';
            }
            else if (c is >= 'a' and <= 'z')
            {
                lower = true;
                bit = 26 + (c - 'a');
            }
            else if (c is >= '0' and <= '9')
            {
                digit = true;
                bit = 52 + (c - '0');
            }
            else
            {
                bit = c == '-' ? 62 : 63;
            }

            seen |= 1UL << bit;
        }

        return upper && lower && digit && CountBits(seen) >= MinimumDistinctCharacters;
    }

    private static int CountBits(ulong value)
    {
        var count = 0;
        while (value != 0)
        {
            value &= value - 1;
            count++;
        }

        return count;
    }

    private static bool HasPrefix(string text, int start, string prefix)
        => string.CompareOrdinal(text, start, prefix, 0, prefix.Length) == 0;

    private static bool AllKeyCharacters(string value)
    {
        foreach (var c in value)
        {
            if (!IsKeyCharacter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsKeyCharacter(char c)
        => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
}
