using System.Globalization;
using System.Text;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// A strict, streaming parser of <c>.env</c> files that looks for one variable.
/// </summary>
/// <remarks>
/// <para>
/// Syntax, one assignment per line: <c>[export ]NAME=VALUE</c>, blanks allowed around the name and <c>=</c>. A name
/// starts with a letter or <c>_</c> and has only letters, digits, <c>_</c>, <c>.</c> and <c>-</c>. A value is
/// unquoted (trimmed; a <c>#</c> after a space or tab starts a comment; everything else, backslashes included, is
/// literal), single-quoted (literal), backtick-quoted (literal) or double-quoted (escapes <c>\n \r \t \" \\ \' \$</c>;
/// any other backslash is kept). Quoted values may span lines; after the closing quote only blanks and a comment may
/// follow. Blank lines and lines starting with <c>#</c> are ignored. The last assignment of a variable wins. There is
/// no variable interpolation: <c>$</c> is an ordinary character.
/// </para>
/// <para>
/// The whole file is checked, and the first malformed line throws a <see cref="DotEnvFormatException"/> naming the
/// file, the line and the problem, never the line's content. Only the value of the variable asked for is kept in
/// memory, capped at <see cref="MaxValueBytes"/>; time is linear in the size of the file.
/// </para>
/// </remarks>
internal static class DotEnvParser
{
    /// <summary>The largest value accepted for the variable asked for, in UTF-8 bytes (64 KiB).</summary>
    public const int MaxValueBytes = 64 * 1024;

    private const int EndOfFile = DotEnvByteReader.EndOfFile;

    private static ReadOnlySpan<byte> Export => "export"u8;

    /// <summary>Returns whether <paramref name="name"/> can be assigned in a <c>.env</c> file.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !IsNameStart(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads the whole file and returns the last value assigned to <paramref name="variable"/>, or null.</summary>
    /// <param name="stream">The file's content.</param>
    /// <param name="variable">The variable to look for; a valid name (<see cref="IsValidName"/>).</param>
    /// <param name="filePath">The file's path, for error messages.</param>
    /// <param name="lineNumber">The line of the assignment that was returned; 0 when there is none.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The value, or <see langword="null"/> when the file does not assign the variable.</returns>
    /// <exception cref="DotEnvFormatException">A line is malformed, or the file is not UTF-8 text.</exception>
    public static string? FindValue(Stream stream, string variable, string filePath, out int lineNumber, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(variable))
        {
            throw new ArgumentException("The variable is not a valid .env name.", nameof(variable));
        }

        using var reader = new DotEnvByteReader(stream, filePath, cancellationToken);
        using var value = new DotEnvValueBuffer(MaxValueBytes);
        var parser = new Parser(reader, Encoding.ASCII.GetBytes(variable), variable, value);
        while (parser.ParseLine())
        {
        }

        lineNumber = parser.FoundOnLine;
        return lineNumber > 0 ? value.DecodeUtf8() : null;
    }

    private static bool IsBlank(int c) => c is ' ' or '\t';

    private static bool IsNameStart(int c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '_';

    private static bool IsNameChar(int c) => IsNameStart(c) || c is (>= '0' and <= '9') or '.' or '-';

    private static string QuoteName(int quote) => quote switch
    {
        '"' => "double-quoted",
        '\'' => "single-quoted",
        _ => "backtick-quoted",
    };

    private sealed class Parser(DotEnvByteReader reader, byte[] target, string variable, DotEnvValueBuffer value)
    {
        public int FoundOnLine { get; private set; }

        /// <summary>Parses one logical line (several for a multi-line quoted value); false at the end of the file.</summary>
        public bool ParseLine()
        {
            var c = SkipBlanks(reader.Read());
            if (c == EndOfFile)
            {
                return false;
            }

            if (c == '\n')
            {
                return true;
            }

            if (c == '#')
            {
                return SkipRestOfLine() != EndOfFile;
            }

            var line = reader.Line;
            if (!IsNameStart(c))
            {
                throw reader.Error(line, "expected a variable name, a comment (#) or a blank line; a name starts with a letter or '_'");
            }

            c = ReadName(c, out var matches, out var isExport);
            if (isExport && IsBlank(c))
            {
                c = SkipBlanks(c);
                if (IsNameStart(c))
                {
                    c = ReadName(c, out matches, out _);
                }
            }

            var blankAfterName = IsBlank(c);
            c = SkipBlanks(c);
            if (c != '=')
            {
                throw reader.Error(line, c is '\n' or EndOfFile
                    ? "expected NAME=VALUE but the line has no '='"
                    : blankAfterName
                        ? "expected '=' after the variable name; a name cannot contain spaces, and only the 'export' prefix is supported"
                        : "expected '=' after the variable name; a name has only letters, digits, '_', '.' and '-'");
            }

            c = reader.Read();
            var blankAfterEquals = IsBlank(c);
            c = SkipBlanks(c);

            DotEnvValueBuffer? capture = null;
            if (matches)
            {
                value.Clear();
                FoundOnLine = line;
                capture = value;
            }

            c = c is '"' or '\'' or '`'
                ? ReadQuoted(c, line, capture)
                : ReadUnquoted(c, blankAfterEquals, line, capture);
            return c != EndOfFile;
        }

        private int ReadName(int c, out bool matches, out bool isExport)
        {
            var length = 0;
            matches = true;
            isExport = true;
            while (IsNameChar(c))
            {
                matches &= length < target.Length && target[length] == c;
                isExport &= length < Export.Length && Export[length] == c;
                length = length == int.MaxValue ? length : length + 1;
                c = reader.Read();
            }

            matches &= length == target.Length;
            isExport &= length == Export.Length;
            return c;
        }

        private int ReadUnquoted(int c, bool blankBefore, int line, DotEnvValueBuffer? capture)
        {
            while (c is not '\n' and not EndOfFile)
            {
                if (c == '#' && blankBefore)
                {
                    c = SkipRestOfLine();
                    break;
                }

                Append(capture, c, line);
                blankBefore = IsBlank(c);
                c = reader.Read();
            }

            capture?.TrimEndBlanks();
            return c;
        }

        private int ReadQuoted(int quote, int line, DotEnvValueBuffer? capture)
        {
            while (true)
            {
                var c = reader.Read();
                if (c == EndOfFile)
                {
                    throw reader.Error(line, $"the {QuoteName(quote)} value that starts on this line has no closing {(char)quote}");
                }

                if (c == quote)
                {
                    break;
                }

                if (c == '\\' && quote == '"')
                {
                    c = reader.Read();
                    switch (c)
                    {
                        case EndOfFile:
                            throw reader.Error(line, $"the {QuoteName(quote)} value that starts on this line has no closing {(char)quote}");
                        case 'n':
                            Append(capture, '\n', line);
                            break;
                        case 'r':
                            Append(capture, '\r', line);
                            break;
                        case 't':
                            Append(capture, '\t', line);
                            break;
                        case '"' or '\\' or '\'' or '$':
                            Append(capture, c, line);
                            break;
                        default:
                            Append(capture, '\\', line);
                            Append(capture, c, line);
                            break;
                    }

                    continue;
                }

                Append(capture, c, line);
            }

            var next = SkipBlanks(reader.Read());
            if (next == '#')
            {
                return SkipRestOfLine();
            }

            if (next is not '\n' and not EndOfFile)
            {
                throw reader.Error(reader.Line, "unexpected text after the closing quote; only a comment (#) may follow a quoted value");
            }

            return next;
        }

        private void Append(DotEnvValueBuffer? capture, int c, int line)
        {
            if (capture is not null && !capture.TryAppend(c))
            {
                throw reader.Error(line, string.Create(CultureInfo.InvariantCulture, $"the value of {variable} is longer than {MaxValueBytes / 1024} KiB; an OpenAI API key is a few hundred characters"));
            }
        }

        private int SkipBlanks(int c)
        {
            while (IsBlank(c))
            {
                c = reader.Read();
            }

            return c;
        }

        private int SkipRestOfLine()
        {
            int c;
            do
            {
                c = reader.Read();
            }
            while (c is not '\n' and not EndOfFile);

            return c;
        }
    }
}
