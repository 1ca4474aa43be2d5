namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// Parses <c>.env</c> syntax. PLACEHOLDER: minimal KEY=VALUE support; replaced by the full parser.
/// </summary>
internal static class DotEnvParser
{
    /// <summary>Validates every line and returns the last value assigned to <paramref name="variable"/>, or null.</summary>
    public static string? FindValue(TextReader reader, string variable, string filePath)
    {
        string? found = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            var eq = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new DotEnvFormatException(filePath, lineNumber, "expected KEY=VALUE");
            }

            if (trimmed[..eq].Trim() == variable)
            {
                found = trimmed[(eq + 1)..].Trim();
            }
        }

        return found;
    }
}
