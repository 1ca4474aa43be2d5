namespace KeyVaulting.Sources.DotEnv;

/// <summary>What the <c>.env</c> source does with a value that is probably not a real key.</summary>
internal enum DotEnvValueVerdict
{
    /// <summary>Nothing wrong was noticed: the value is served.</summary>
    Usable,

    /// <summary>Other dotenv tools read the value as empty: "not found", and the chain moves on.</summary>
    Empty,

    /// <summary>The value can never be a working key: the source fails.</summary>
    Refused,

    /// <summary>The value is served with a warning: a local OpenAI-compatible server may accept it, OpenAI will not.</summary>
    Suspicious,
}

/// <summary>
/// Recognises values of the key variable that can never be a real OpenAI key: a commented-out value, an unexpanded
/// variable, a comment glued to the key, a placeholder from a <c>.env.example</c> file, a character no OpenAI key has.
/// A value is not judged for lacking the <c>sk-</c> prefix: OpenAI-compatible servers accept any key. The causes
/// never contain the value.
/// </summary>
internal static class DotEnvValueCheck
{
    private const string Placeholder = "looks like a placeholder copied from a .env.example file, not a key";

    /// <summary>Judges the value of <paramref name="assignment"/>, which is not empty.</summary>
    /// <returns>The verdict and, unless it is <see cref="DotEnvValueVerdict.Usable"/>, the cause and its fix.</returns>
    public static (DotEnvValueVerdict Verdict, string? Cause) Check(DotEnvAssignment assignment)
    {
        var value = assignment.Value.Trim();
        var unquoted = assignment.Quote == '\0';
        if (unquoted && value.StartsWith('#'))
        {
            return (DotEnvValueVerdict.Empty, "to a value that starts with '#', which node-dotenv, DotNetEnv and Ruby dotenv read as a comment, so as an empty value. Write the key right after '=' (quote it if it starts with '#')");
        }

        if (value.Contains("${", StringComparison.Ordinal) || value.Contains("$(", StringComparison.Ordinal) || IsShellVariable(value))
        {
            return (DotEnvValueVerdict.Refused, "is a variable reference or a command ($NAME, ${NAME} or $(...)), which KeyVaulting never expands or runs. Write the key itself, or read that variable with an EnvironmentVariable source earlier in the chain");
        }

        if (unquoted && value.Contains('#', StringComparison.Ordinal))
        {
            return (DotEnvValueVerdict.Refused, "has a '#' with no blank before it: most likely a comment glued to the key, since an OpenAI key has no '#'. Put a space before the '#', or quote the value if the '#' belongs to it");
        }

        if (IsPlaceholder(value))
        {
            // One that could not even be sent (a blank, angle brackets) fails; the others may be a local server's key.
            return value.StartsWith('<') || value.Any(char.IsWhiteSpace)
                ? (DotEnvValueVerdict.Refused, $"{Placeholder}. Put the key there")
                : (DotEnvValueVerdict.Suspicious, $"{Placeholder}. It is sent as is, since a local OpenAI-compatible server accepts any key, but OpenAI will answer 401: put the real key there");
        }

        var odd = value.AsSpan().IndexOfAny("#${}<>");
        return odd < 0
            ? (DotEnvValueVerdict.Usable, null)
            : (DotEnvValueVerdict.Suspicious, $"has '{value[odd]}', which no OpenAI key has (an unexpanded variable, a placeholder or a comment?). It is sent as is, since an OpenAI-compatible server may accept it; check the line");
    }

    private static bool IsShellVariable(string value)
        => value.Length > 1 && value[0] == '$' && !char.IsAsciiDigit(value[1]) && value.Skip(1).All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsPlaceholder(string value)
    {
        if (value.StartsWith('<') && value.EndsWith('>'))
        {
            return true;
        }

        var body = value.StartsWith("sk-proj-", StringComparison.Ordinal) ? value[8..] : value.StartsWith("sk-", StringComparison.Ordinal) ? value[3..] : value;
        var words = string.Concat(body.Where(char.IsAsciiLetterOrDigit)).ToUpperInvariant();
        return (body.Length > 0 && body.All(c => c is 'x' or 'X' or '.' or '*' or '…' or '-' or '_'))
            || words.StartsWith("YOUR", StringComparison.Ordinal)
            || words.EndsWith("HERE", StringComparison.Ordinal)
            || words is "CHANGEME" or "REPLACEME" or "PLACEHOLDER";
    }
}
