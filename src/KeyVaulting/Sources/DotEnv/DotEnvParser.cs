using System.Globalization;
using System.Text;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// A strict parser of <c>.env</c> text that looks for one variable.
/// </summary>
/// <remarks>
/// <para>
/// Syntax, one assignment per line: <c>[export ]NAME=VALUE</c>, blanks allowed around the name and <c>=</c>. A name
/// starts with a letter or <c>_</c> and has only letters, digits, <c>_</c>, <c>.</c> and <c>-</c>. A value is
/// unquoted (trimmed; a <c>#</c> after a space or tab starts a comment; everything else, backslashes included, is
/// literal), single-quoted (literal), backtick-quoted (literal) or double-quoted (escapes <c>\n \r \t \" \\ \' \$</c>;
/// any other backslash is kept). Quoted values may span lines; after the closing quote only blanks and a comment may
/// follow. Blank lines and lines starting with <c>#</c> are ignored. The last assignment of a variable wins. There is
/// no variable interpolation: <c>$</c> is an ordinary character. CRLF and a lone CR are line breaks, read as LF.
/// </para>
/// <para>
/// The whole file is checked, and the first malformed line throws a <see cref="DotEnvFormatException"/> naming the
/// file, the line and the problem, never the line's content. The value asked for is capped at
/// <see cref="MaxValueBytes"/>; time is linear in the size of the text.
/// </para>
/// </remarks>
internal static class DotEnvParser
{
    /// <summary>The largest value accepted for the variable asked for, in UTF-8 bytes (64 KiB).</summary>
    public const int MaxValueBytes = 64 * 1024;

    private const int EndOfFile = -1;

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
    /// <exception cref="DotEnvFormatException">A line is malformed, or the file is too large or not text.</exception>
    public static string? FindValue(Stream stream, string variable, string filePath, out int lineNumber, CancellationToken cancellationToken = default)
    {
        var found = IsValidName(variable)
            ? Find(DotEnvFileReader.ReadText(stream, filePath, cancellationToken), variable, filePath)
            : throw new ArgumentException("The variable is not a valid .env name.", nameof(variable));
        lineNumber = found?.Line ?? 0;
        return found?.Value;
    }

    /// <summary>Parses the whole text and returns the last assignment of <paramref name="variable"/>, or null.</summary>
    /// <exception cref="DotEnvFormatException">A line is malformed.</exception>
    public static DotEnvAssignment? Find(string text, string variable, string filePath)
        => new Scanner(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'), variable, filePath).Run();

    private static bool IsBlank(int c) => c is ' ' or '\t';

    private static bool IsNameStart(int c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '_';

    private static bool IsNameChar(int c) => IsNameStart(c) || c is (>= '0' and <= '9') or '.' or '-';

    private sealed class Scanner(string text, string variable, string filePath)
    {
        private int _position;
        private int _line = 1;

        public DotEnvAssignment? Run()
        {
            DotEnvAssignment? found = null;
            for (var c = SkipBlanks(); c != EndOfFile; c = SkipBlanks())
            {
                if (c is '\n' or '#')
                {
                    SkipRestOfLine();
                    continue;
                }

                var line = _line;
                var name = IsNameStart(c) ? ReadName() : throw Error(line, "expected a variable name, a comment (#) or a blank line; a name starts with a letter or '_'");
                // 'export NAME=…' skips the prefix; 'export=…' and 'export =…' assign a variable named export.
                if (name is "export" && IsBlank(Peek()) && IsNameStart(SkipBlanks()))
                {
                    name = ReadName();
                }

                var blankAfterName = IsBlank(Peek());
                if (SkipBlanks() != '=')
                {
                    throw Error(line, Peek() is '\n' or EndOfFile
                        ? "expected NAME=VALUE but the line has no '='"
                        : blankAfterName
                            ? "expected '=' after the variable name; a name cannot contain spaces, and only the 'export' prefix is supported"
                            : "expected '=' after the variable name; a name has only letters, digits, '_', '.' and '-'");
                }

                _position++;
                var blankAfterEquals = IsBlank(Peek());
                var quote = SkipBlanks() is '"' or '\'' or '`' ? (char)Peek() : '\0';
                var capture = name.SequenceEqual(variable) ? new StringBuilder() : null;
                if (quote == '\0')
                {
                    ReadUnquoted(blankAfterEquals, capture);
                }
                else
                {
                    ReadQuoted(quote, line, capture);
                }

                if (capture is not null)
                {
                    var value = capture.ToString();
                    found = Encoding.UTF8.GetByteCount(value) <= MaxValueBytes ? new(value, line, quote) : throw TooLong(line);
                }
            }

            return found;
        }

        private ReadOnlySpan<char> ReadName()
        {
            var start = _position;
            while (IsNameChar(Peek()))
            {
                _position++;
            }

            return text.AsSpan(start, _position - start);
        }

        /// <summary>Reads to the end of the line or to a '#' after a blank; trailing blanks are not part of the value.</summary>
        private void ReadUnquoted(bool blankBefore, StringBuilder? capture)
        {
            var start = _position;
            for (int c; (c = Peek()) is not ('\n' or EndOfFile) && !(c == '#' && blankBefore); _position++)
            {
                blankBefore = IsBlank(c);
            }

            capture?.Append(text.AsSpan(start, _position - start).TrimEnd(" \t"));
            // Stryker disable once Statement : the value ends at a line break, a '#' or the end; Run's loop skips a line break or a comment the same way
            SkipRestOfLine();
        }

        private void ReadQuoted(char quote, int line, StringBuilder? capture)
        {
            _position++;
            for (var c = Next(); c != quote; c = Next())
            {
                if (c == '\\' && quote == '"')
                {
                    // The escapes are \n \r \t \" \\ \' \$; any other backslash is kept.
                    c = Next();
                    if (c is 'n' or 'r' or 't')
                    {
                        c = c == 'n' ? '\n' : c == 'r' ? '\r' : '\t';
                    }
                    else if (c is not ('"' or '\\' or '\'' or '$' or EndOfFile))
                    {
                        capture?.Append('\\');
                    }
                }

                if (c == EndOfFile)
                {
                    throw Error(line, $"the {QuoteName(quote)} value that starts on this line has no closing {quote}");
                }

                if (capture?.Append((char)c).Length > MaxValueBytes)
                {
                    throw TooLong(line);
                }
            }

            if (SkipBlanks() is not ('\n' or '#' or EndOfFile))
            {
                throw Error(_line, "unexpected text after the closing quote; only a comment (#) may follow a quoted value");
            }

            // Stryker disable once Statement : the check above leaves a line break, a '#' or the end; Run's loop skips a line break or a comment the same way
            SkipRestOfLine();
        }

        private int Peek() => _position < text.Length ? text[_position] : EndOfFile;

        private int Next()
        {
            var c = Peek();
            // Stryker disable once Conditional : past the end Peek still reads the end of the file, and nothing else reads the position once it is there
            _position += c == EndOfFile ? 0 : 1;
            _line += c == '\n' ? 1 : 0;
            return c;
        }

        /// <summary>Skips spaces and tabs; returns the next character.</summary>
        private int SkipBlanks()
        {
            while (IsBlank(Peek()))
            {
                _position++;
            }

            return Peek();
        }

        /// <summary>Skips to the end of the line, its line break included.</summary>
        private void SkipRestOfLine()
        {
            while (Next() is not ('\n' or EndOfFile))
            {
            }
        }

        private static string QuoteName(char quote) => quote switch
        {
            '"' => "double-quoted",
            '\'' => "single-quoted",
            _ => "backtick-quoted",
        };

        private DotEnvFormatException TooLong(int line)
            => Error(line, string.Create(CultureInfo.InvariantCulture, $"the value of {variable} is longer than {MaxValueBytes / 1024} KiB; an OpenAI API key is a few hundred characters"));

        private DotEnvFormatException Error(int line, string problem) => new(filePath, line, problem);
    }
}
