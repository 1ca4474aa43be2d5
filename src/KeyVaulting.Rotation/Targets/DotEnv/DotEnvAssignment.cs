namespace KeyVaulting.Rotation.Targets.DotEnv;

/// <summary>
/// Where a <c>.env</c> file assigns a variable: the byte range of the value (quotes included) of the last assignment,
/// which is the one dotenv readers use. Found by a scanner of the same syntax the core package's parser reads
/// (<c>[export ]NAME=VALUE</c>, comments, single, double and backtick quotes that may span lines, CRLF or LF), so that
/// the value can be replaced without touching any other byte.
/// </summary>
internal readonly record struct DotEnvAssignment(int ValueStart, int ValueEnd, byte Quote)
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Finds the last assignment of <paramref name="variable"/>, or returns <see langword="null"/> when there is none.</summary>
    /// <exception cref="FormatException">The file is not valid <c>.env</c> syntax; the message names the line, never its content.</exception>
    public static DotEnvAssignment? FindLast(ReadOnlySpan<byte> content, string variable)
    {
        var i = content.StartsWith(Bom) ? Bom.Length : 0;
        var line = 1;
        DotEnvAssignment? found = null;
        while (i < content.Length)
        {
            i = SkipBlanks(content, i);
            if (i >= content.Length)
            {
                break;
            }

            var c = content[i];
            if (c is (byte)'\n' or (byte)'\r')
            {
                i = SkipLineBreak(content, i, ref line);
                continue;
            }

            if (c == '#')
            {
                i = SkipLineBreak(content, EndOfLine(content, i), ref line);
                continue;
            }

            var nameStart = i;
            i = SkipName(content, i);
            if (i == nameStart)
            {
                throw new FormatException($"line {line}: expected a variable name, a comment or a blank line");
            }

            var name = content[nameStart..i];
            if (name.SequenceEqual("export"u8) && i < content.Length && content[i] is (byte)' ' or (byte)'\t')
            {
                var afterExport = SkipBlanks(content, i);
                var next = SkipName(content, afterExport);
                if (next > afterExport)
                {
                    name = content[afterExport..next];
                    i = next;
                }
            }

            i = SkipBlanks(content, i);
            if (i >= content.Length || content[i] != '=')
            {
                throw new FormatException($"line {line}: expected NAME=VALUE");
            }

            i = SkipBlanks(content, i + 1);
            var valueStart = i;
            int valueEnd;
            byte quote = 0;
            if (i < content.Length && content[i] is (byte)'"' or (byte)'\'' or (byte)'`')
            {
                quote = content[i];
                var startLine = line;
                i++;
                while (true)
                {
                    if (i >= content.Length)
                    {
                        throw new FormatException($"line {startLine}: a quoted value has no closing quote");
                    }

                    var b = content[i];
                    if (b == quote)
                    {
                        break;
                    }

                    if (b == '\\' && quote == '"' && i + 1 < content.Length)
                    {
                        i++;
                    }

                    if (content[i] == '\n' || (content[i] == '\r' && (i + 1 >= content.Length || content[i + 1] != '\n')))
                    {
                        line++;
                    }

                    i++;
                }

                valueEnd = i + 1;
                i = EndOfLine(content, valueEnd);
            }
            else
            {
                var end = EndOfLine(content, i);
                valueEnd = i;
                for (var j = i; j < end; j++)
                {
                    if (content[j] == '#' && j > i && content[j - 1] is (byte)' ' or (byte)'\t')
                    {
                        break;
                    }

                    if (content[j] is not ((byte)' ' or (byte)'\t'))
                    {
                        valueEnd = j + 1;
                    }
                }

                i = end;
            }

            if (name.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(variable)))
            {
                found = new DotEnvAssignment(valueStart, valueEnd, quote);
            }

            i = SkipLineBreak(content, i, ref line);
        }

        return found;
    }

    private static int SkipBlanks(ReadOnlySpan<byte> content, int i)
    {
        while (i < content.Length && content[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    private static int SkipName(ReadOnlySpan<byte> content, int i)
    {
        if (i >= content.Length || !(char.IsAsciiLetter((char)content[i]) || content[i] == '_'))
        {
            return i;
        }

        while (i < content.Length && (char.IsAsciiLetterOrDigit((char)content[i]) || content[i] is (byte)'_' or (byte)'.' or (byte)'-'))
        {
            i++;
        }

        return i;
    }

    private static int EndOfLine(ReadOnlySpan<byte> content, int i)
    {
        while (i < content.Length && content[i] is not ((byte)'\n' or (byte)'\r'))
        {
            i++;
        }

        return i;
    }

    private static int SkipLineBreak(ReadOnlySpan<byte> content, int i, ref int line)
    {
        if (i < content.Length && content[i] == '\r')
        {
            i++;
        }

        if (i < content.Length && content[i] == '\n')
        {
            i++;
        }

        line++;
        return i;
    }
}
