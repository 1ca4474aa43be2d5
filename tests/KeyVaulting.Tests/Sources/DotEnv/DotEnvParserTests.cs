using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using KeyVaulting.Sources.DotEnv;
using KeyVaulting.Testing;

namespace KeyVaulting.Tests.Sources.DotEnv;

public class DotEnvParserTests
{
    private const string FilePath = "/app/.env";

    public static TheoryData<string, string> Assignments => new()
    {
        // Unquoted: trimmed, literal, a '#' after a blank starts a comment.
        { "KEY=value", "value" },
        { "KEY = value", "value" },
        { "  KEY=value  ", "value" },
        { "\tKEY\t=\tvalue\t", "value" },
        { "export KEY=value", "value" },
        { "export\tKEY=value", "value" },
        { "  export   KEY  =  value", "value" },
        { "KEY=", "" },
        { "KEY=   ", "" },
        { "KEY=a b  c", "a b  c" },
        { "KEY=a#b", "a#b" },
        { "KEY=a #b", "a" },
        { "KEY=a\t#b", "a" },
        { "KEY=#b", "#b" },
        { "KEY= #b", "" },
        { "KEY=a\\nb", "a\\nb" },
        { "KEY=a\\ b", "a\\ b" },
        { "KEY=$OTHER", "$OTHER" },
        { "KEY=${OTHER}x", "${OTHER}x" },
        { "KEY=$(echo hi)", "$(echo hi)" },
        { "KEY=a=b==", "a=b==" },
        { "KEY={\"a\": 'b'}", "{\"a\": 'b'}" },
        { "KEY=日本 ®", "日本 ®" },
        { "KEY=a\u00a0", "a\u00a0" }, // only spaces and tabs are trimmed: other white space is part of the value
        { "KEY=a\f \t", "a\f" },

        // Single quotes and backticks: literal, may span lines.
        { "KEY='a b'", "a b" },
        { "KEY='  a  '  # c", "  a  " },
        { "KEY='a\\nb'", "a\\nb" },
        { "KEY='$X #y'", "$X #y" },
        { "KEY='a\"b`c'", "a\"b`c" },
        { "KEY='l1\nl2'", "l1\nl2" },
        { "KEY=`a 'b' \"c\"`", "a 'b' \"c\"" },
        { "KEY=`a\\nb`", "a\\nb" },
        { "KEY=`l1\r\nl2`", "l1\nl2" },

        // Double quotes: escapes; any other backslash is kept; may span lines.
        { "KEY=\"a b\"", "a b" },
        { "KEY=\"a\\nb\"", "a\nb" },
        { "KEY=\"a\\rb\"", "a\rb" },
        { "KEY=\"a\\tb\"", "a\tb" },
        { "KEY=\"a\\\"b\"", "a\"b" },
        { "KEY=\"a\\\\b\"", "a\\b" },
        { "KEY=\"a\\'b\"", "a'b" },
        { "KEY=\"a\\$b\"", "a$b" },
        { "KEY=\"C:\\Users\\x\"", "C:\\Users\\x" },
        { "KEY=\"\\u00ae\"", "\\u00ae" },
        { "KEY=\"\\\\\"", "\\" },
        { "KEY=\"a#b\" # c", "a#b" },
        { "KEY=\"a\"#c", "a" },
        { "KEY=\"a\"   ", "a" },
        { "KEY=\"$HOME\"", "$HOME" },
        { "KEY=\"l1\nl2\"", "l1\nl2" },
        { "KEY=\"l1\r\nl2\r\n\"", "l1\nl2\n" },
        { "KEY=\"l1\rl2\"", "l1\nl2" },
        { "KEY=\"a\\\nb\"", "a\\\nb" },

        // Empty quoted values.
        { "KEY=\"\"", "" },
        { "KEY=''", "" },
        { "KEY=``", "" },
    };

    public static TheoryData<string, int, string> MalformedLines => new()
    {
        { "NOVALUE", 1, "no '='" },
        { "A=1\nexport KEY", 2, "no '='" },
        { "A=1\n\nMULTI WORD KEY=1", 3, "cannot contain spaces" },
        { "set KEY=1", 1, "only the 'export' prefix" },
        { "import OPENAI_API_KEY=x", 1, "only the 'export' prefix" }, // six letters and a blank are not 'export'
        { "exports KEY=1", 1, "only the 'export' prefix" },
        { "KEY: value", 1, "only letters, digits" },
        { "FOO$BAR=1", 1, "only letters, digits" },
        { "lol$wut", 1, "only letters, digits" },
        { "1KEY=x", 1, "expected a variable name" },
        { "=x", 1, "expected a variable name" },
        { "ÄKEY=x", 1, "expected a variable name" },
        { "KEY='abc", 1, "single-quoted value that starts on this line has no closing '" },
        { "A=1\nKEY=\"abc\nmore\nlines", 2, "double-quoted value that starts on this line has no closing \"" },
        { "KEY=`abc", 1, "backtick-quoted value" },
        { "KEY=\"abc\\", 1, "has no closing \"" },
        { "KEY=\"abc\\\"", 1, "has no closing \"" },
        { "KEY=\"abc\"def", 1, "after the closing quote" },
        { "KEY='\\''", 1, "after the closing quote" },
        { "KEY=\"a\nb\"c", 2, "after the closing quote" },
        { "KEY=v\nbroken", 2, "no '='" },
    };

    [Theory]
    [MemberData(nameof(Assignments))]
    public void FindValue_Assignment_ReturnsValue(string content, string expected)
    {
        Parse(content).Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(Assignments))]
    public void FindValue_ReadsOneByteAtATime_SameValue(string content, string expected)
    {
        var value = DotEnvParser.FindValue(new TrickleStream(Encoding.UTF8.GetBytes(content)), "KEY", FilePath, out _);

        value.Should().Be(expected);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void FindValue_LineEndings_EachCountsAsOneLine(string lineEnding)
    {
        var content = string.Join(lineEnding, "# c", "A=1", "", "KEY=v", "B=2") + lineEnding;

        Parse(content, "KEY", out var line).Should().Be("v");
        line.Should().Be(4);
        Parse(content, "B").Should().Be("2");
    }

    [Theory]
    [InlineData("KEY=v", '\0')]
    [InlineData("KEY=\"v\"", '"')]
    [InlineData("KEY='v'", '\'')]
    [InlineData("KEY=`v`", '`')]
    [InlineData("KEY='v'\nKEY=v # last", '\0')]
    public void Find_Assignment_ReportsHowTheValueWasQuoted(string content, char quote)
    {
        var found = DotEnvParser.Find(content, "KEY", FilePath);

        found.Should().Be(new DotEnvAssignment("v", content.Count(c => c == '\n') + 1, quote));
    }

    [Fact]
    public void FindValue_DuplicateKeys_LastWins()
    {
        Parse("KEY=one\nOTHER=x\nKEY='two'\nKEY=\"three\"\n", "KEY", out var line).Should().Be("three");
        line.Should().Be(4);
    }

    [Fact]
    public void FindValue_LaterEmptyAssignment_Wins()
    {
        Parse("KEY=one\nKEY=\n").Should().BeEmpty();
    }

    [Fact]
    public void FindValue_SimilarNames_OnlyExactNameMatches()
    {
        const string content = "KEY_2=a\nMYKEY=b\nKE=c\nKEY.X=d\nkey=e\nexportKEY=f\nKEY-=g\nKEY=h\n";

        Parse(content).Should().Be("h");
        Parse(content, "exportKEY").Should().Be("f");
        Parse(content, "key").Should().Be("e");
    }

    [Fact]
    public void FindValue_VariableNamedExport_IsAssignable()
    {
        Parse("export=1\nexport KEY=2\n", "export").Should().Be("1");
        Parse("export =3\n", "export").Should().Be("3");
        Parse("export KEY=2\n", "export").Should().BeNull();
    }

    [Fact]
    public void FindValue_CommentedOutAssignments_Ignored()
    {
        Parse("# KEY=secret\n  # KEY=x\n\t#KEY=y\nKEY=v # KEY=z\n").Should().Be("v");
        Parse("# KEY=secret\n").Should().BeNull();
    }

    [Fact]
    public void FindValue_NotAssigned_ReturnsNullAndLineZero()
    {
        Parse("A=1\nB='KEY=2'\nC=\"\nKEY=3\n\"\n", "KEY", out var line).Should().BeNull();
        line.Should().Be(0);
    }

    [Fact]
    public void FindValue_MultiLineValue_ReportsLineWhereAssignmentStarts()
    {
        Parse("A=\"1\n2\n3\"\nKEY='x\ny'\n", "KEY", out var line).Should().Be("x\ny");
        line.Should().Be(4);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n\n")]
    [InlineData("# only a comment")]
    [InlineData("\uFEFF")]
    public void FindValue_NothingAssigned_ReturnsNull(string content)
    {
        Parse(content).Should().BeNull();
    }

    [Fact]
    public void FindValue_Utf8ByteOrderMark_IsNotPartOfTheFirstName()
    {
        Parse("\uFEFFKEY=v\nB=2").Should().Be("v");
    }

    [Fact]
    public void FindValue_ByteOrderMarkNotAtStart_IsRejectedAsNameCharacter()
    {
        var act = () => Parse("A=1\n\uFEFFKEY=v");

        act.Should().Throw<DotEnvFormatException>().Which.LineNumber.Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void FindValue_MalformedLine_ThrowsWithFileLineAndProblem(string content, int line, string problem)
    {
        var act = () => Parse(content);

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.FilePath.Should().Be(FilePath);
        error.LineNumber.Should().Be(line);
        error.Message.Should().StartWith($"{FilePath} line {line}: ").And.Contain(problem);
    }

    [Theory]
    [InlineData("KEY='{0}")]
    [InlineData("KEY=\"{0}")]
    [InlineData("KEY=`{0}")]
    [InlineData("KEY=\"{0}\"junk")]
    [InlineData("{0}")]
    [InlineData("KEY {0}")]
    [InlineData("KEY: {0}")]
    [InlineData("A=1\n{0} = 'x")]
    [InlineData("KEY={0}\u0000")]
    [InlineData("KEY={0}\u0000\nB='unterminated")]
    public void FindValue_MalformedLineHoldingSecret_MessageNeverContainsIt(string template)
    {
        var secret = TestKeys.Project('S');
        var act = () => Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, secret));

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.ShouldNotContainSecrets(secret, "SSSSSSSS");
    }

    [Fact]
    public void FindValue_MalformedLineAfterTheValue_StillThrows()
    {
        // The whole file is checked: a broken file must not half-work.
        var act = () => Parse("KEY=v\nA=1\nB='oops\n");

        act.Should().Throw<DotEnvFormatException>().Which.LineNumber.Should().Be(3);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'K', (byte)'E', (byte)'Y', (byte)'=', 0x00 }, 1)]
    [InlineData(new byte[] { (byte)'A', (byte)'=', (byte)'1', (byte)'\n', (byte)'#', 0x00 }, 2)]
    [InlineData(new byte[] { (byte)'A', (byte)'=', (byte)'"', (byte)'\n', 0x00, (byte)'"' }, 2)]
    public void FindValue_NulByte_ThrowsNamingLine(byte[] content, int line)
    {
        var act = () => Parse(content);

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.LineNumber.Should().Be(line);
        error.Message.Should().Contain("NUL byte");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, 1)] // never valid in UTF-8
    [InlineData(new byte[] { 0x80 }, 1)] // continuation byte without a lead byte
    [InlineData(new byte[] { 0xC0, 0xAF }, 1)] // overlong '/'
    [InlineData(new byte[] { 0xE0, 0x80, 0xAF }, 1)] // overlong 3-byte form
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 1)] // UTF-16 surrogate
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, 1)] // above U+10FFFF
    [InlineData(new byte[] { 0xE6, 0x97 }, 1)] // truncated at the end of the file
    [InlineData(new byte[] { 0xE6, 0x97, (byte)'\n', (byte)'B', (byte)'=', (byte)'1' }, 1)] // truncated by a line break
    [InlineData(new byte[] { (byte)'\n', (byte)'\n', 0xE9, (byte)'t', (byte)'e' }, 3)] // Latin-1 'é'
    public void FindValue_InvalidUtf8_ThrowsNamingLine(byte[] invalid, int line)
    {
        var content = Encoding.ASCII.GetBytes("KEY=").Concat(invalid).ToArray();

        var act = () => Parse(content);

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.LineNumber.Should().Be(line);
        error.Message.Should().Contain("not valid UTF-8");
    }

    [Fact]
    public void FindValue_InvalidUtf8InAComment_Throws()
    {
        var content = Encoding.ASCII.GetBytes("KEY=v\n# caf").Concat(new byte[] { 0xE9 }).ToArray();

        var act = () => Parse(content);

        act.Should().Throw<DotEnvFormatException>().Which.LineNumber.Should().Be(2);
    }

    [Fact]
    public void FindValue_ValidMultiByteUtf8_Kept()
    {
        Parse("# ✓ 日本\nKEY=\"🚀 ® é\" # ü\n").Should().Be("🚀 ® é");
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    public void FindValue_Utf16WithByteOrderMark_ReadsTheValue(string encodingName)
    {
        // Windows PowerShell 5's '>' and Out-File write UTF-16 LE with a byte order mark, and CRLF line breaks.
        var encoding = Encoding.GetEncoding(encodingName);
        var content = encoding.GetPreamble().Concat(encoding.GetBytes("# ✓ 日本\r\nA=1\r\nKEY=\"🚀 é\" # ü\r\nB='l1\r\nl2'\r\n")).ToArray();

        DotEnvParser.FindValue(new MemoryStream(content), "KEY", FilePath, out var line).Should().Be("🚀 é");
        line.Should().Be(3);
        Parse(content, "B").Should().Be("l1\nl2");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'K', 0, (byte)'=', 0, 0x00, 0xD8, (byte)'x', 0 }, 1)] // a high surrogate alone
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'A', 0, (byte)'\n', 0, 0x00, 0xD8, (byte)'\n', 0, (byte)'B', 0 }, 2)] // alone before a line break
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'A', 0, (byte)'\r', 0, (byte)'\n', 0, 0x00, 0xDC }, 2)] // a low surrogate alone
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'K', 0, (byte)'\n', 0xDC, 0x00, 0, (byte)'x' }, 2)] // big endian
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'K', 0, (byte)'\n', 0, (byte)'=' }, 2)] // an odd number of bytes
    public void FindValue_InvalidUtf16_ThrowsNamingLine(byte[] content, int line)
    {
        var act = () => Parse(content);

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.LineNumber.Should().Be(line);
        error.Message.Should().Contain("not valid UTF-16");
    }

    [Fact]
    public void FindValue_Utf16WithoutByteOrderMark_ThrowsOnNulByte()
    {
        var act = () => Parse(Encoding.Unicode.GetBytes("KEY=v\n"));

        act.Should().Throw<DotEnvFormatException>().Which.Message.Should().Contain("NUL byte");
    }

    [Fact]
    public void FindValue_LongLinesOfOtherVariables_Parsed()
    {
        var content = "BIG=" + new string('x', 400 * 1024) + "\nKEY=v\nBIG2=\"" + new string('y', 400 * 1024) + "\"\n";

        Parse(content, "KEY", out var line).Should().Be("v");
        line.Should().Be(2);
    }

    [Theory]
    [InlineData("KEY={0}\n")]
    [InlineData("KEY=\"{0}\"\n")]
    [InlineData("KEY='{0}'\n")]
    [InlineData("KEY=`{0}`")]
    public void FindValue_ValueAtTheCap_Accepted(string template)
    {
        var value = new string('k', DotEnvParser.MaxValueBytes);

        Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, value)).Should().Be(value);
    }

    [Theory]
    [InlineData("KEY={0}\n")]
    [InlineData("KEY=\"{0}\"\n")]
    [InlineData("KEY='{0}'\n")]
    [InlineData("KEY=`{0}`")]
    public void FindValue_ValueOneByteOverTheCap_ThrowsNamingTheLimit(string template)
    {
        var content = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, new string('k', DotEnvParser.MaxValueBytes + 1));

        var act = () => Parse(content);

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.LineNumber.Should().Be(1);
        error.Message.Should().Be($"{FilePath} line 1: the value of KEY is longer than 64 KiB; an OpenAI API key is a few hundred characters");
    }

    [Theory]
    [InlineData("KEY={0}")]
    [InlineData("KEY=\"{0}\"")]
    [InlineData("KEY='{0}")]
    public void FindValue_ValueOverTheCap_ThrowsNamingTheLimit(string template)
    {
        var content = "A=1\n" + string.Format(System.Globalization.CultureInfo.InvariantCulture, template, new string('k', 100 * 1024));

        var act = () => Parse(content);

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.LineNumber.Should().Be(2);
        error.Message.Should().Contain("KEY is longer than 64 KiB");
    }

    [Fact]
    public void FindValue_DeeplyRepeatedEscapes_LinearAndCorrect()
    {
        var escapes = string.Concat(Enumerable.Repeat("\\\\", 500_000));
        var content = $"OTHER=\"{escapes}\"\nKEY=\"{string.Concat(Enumerable.Repeat("\\\\", 20_000))}\\\"\"\n";

        var stopwatch = Stopwatch.StartNew();
        var value = Parse(content);

        value.Should().Be(new string('\\', 20_000) + "\"");
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void FindValue_OddRunOfBackslashesBeforeTheQuote_IsUnterminated()
    {
        var act = () => Parse("KEY=\"" + new string('\\', 100_001) + "\"\n");

        act.Should().Throw<DotEnvFormatException>().Which.Message.Should().Contain("no closing \"");
    }

    [Fact]
    public void FindValue_HundredThousandLines_FindsTheLastAssignment()
    {
        // Short lines, so that 100,000 of them stay under the 1 MiB a .env file may have.
        var builder = new StringBuilder();
        for (var i = 1; i < 100_000; i++)
        {
            builder.Append((i % 3) switch { 0 => "# c\n", 1 => "A='v 1'\n", _ => "B=v\n" });
        }

        builder.Append("KEY=last\n");

        var stopwatch = Stopwatch.StartNew();
        Parse(builder.ToString(), "KEY", out var line).Should().Be("last");
        line.Should().Be(100_000);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void FindValue_FileOfExactlyOneMebibyte_Read()
    {
        var last = $"KEY={TestKeys.Project()}\n";
        var content = "A=" + new string('a', DotEnvFileReader.MaxFileBytes - 3 - last.Length) + "\n" + last;
        content.Length.Should().Be(1024 * 1024);

        Parse(content).Should().Be(TestKeys.Project());
        DotEnvParser.FindValue(new TrickleStream(Encoding.UTF8.GetBytes(content), chunk: 100_000), "KEY", FilePath, out _).Should().Be(TestKeys.Project());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FindValue_FileOverOneMebibyte_ThrowsNamingTheLimitAndTheFix(bool seekable)
    {
        // An 8 MB file (of a stream that may not say its length) is refused after 1 MiB, however long it goes on.
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"VAR=\"{new string('v', 4_000)}\"\n", 2_000)) + $"KEY={TestKeys.Project()}\n");
        Stream stream = seekable ? new MemoryStream(content) : new TrickleStream(content, chunk: 64 * 1024);

        var act = () => DotEnvParser.FindValue(stream, "KEY", FilePath, out _);

        var error = act.Should().Throw<DotEnvFormatException>().Which;
        error.LineNumber.Should().Be(0);
        error.Message.Should().Be($"{FilePath}: the file is larger than 1 MiB, the most KeyVaulting reads from a .env file. A .env file holds a few settings (an OpenAI key is a few hundred bytes): check that the path names the right file, and keep only settings in it");
        error.ShouldNotContainSecrets(TestKeys.Project());
    }

    [Fact]
    public void FindValue_CrLfAtPosition4095_CountsOneLine()
    {
        // The file is read in blocks of 4096 bytes: put the CR at 4095 and the LF at 4096.
        var first = "A=" + new string('a', 4093);
        var content = first + "\r\nKEY=v\r\n";
        first.Length.Should().Be(4095);

        Parse(content, "KEY", out var line).Should().Be("v");
        line.Should().Be(2);
    }

    [Fact]
    public void FindValue_Cancelled_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var act = () => DotEnvParser.FindValue(new MemoryStream("KEY=v"u8.ToArray()), "KEY", FilePath, out _, cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("OPENAI API KEY")]
    [InlineData("1KEY")]
    [InlineData("KEY=")]
    public void FindValue_InvalidVariableName_ThrowsArgumentException(string variable)
    {
        var act = () => DotEnvParser.FindValue(new MemoryStream(), variable, FilePath, out _);

        act.Should().Throw<ArgumentException>()
            .WithMessage("The variable is not a valid .env name.*")
            .Which.ParamName.Should().Be("variable");
    }

    [Theory]
    [InlineData("Z_OPENAI_KEY")]
    [InlineData("ZKEY")]
    [InlineData("aZ")]
    [InlineData("_Z")]
    public void FindValue_NameWithZ_IsRead(string variable)
    {
        // 'Z' and 'z' are the last letters of the name rule's ranges.
        Parse($"A=1\n{variable}=v\nz=w\n", variable).Should().Be("v");
        Parse($"A=1\n{variable}=v\nz=w\n", "z").Should().Be("w");
    }

    [Theory]
    [InlineData("KEY=a # c\nB=2\n")]
    [InlineData("KEY=a\t#c\nB=2")]
    [InlineData("KEY='a' # c\nB=2\n")]
    [InlineData("KEY=\"a\"# c\r\nB=2")]
    [InlineData("KEY=`a`\nB=2")]
    public void FindValue_AssignmentAfterACommentedValue_IsReadFromTheNextLine(string content)
    {
        Parse(content, "KEY", out var line).Should().Be("a");
        line.Should().Be(1);
        Parse(content, "B", out line).Should().Be("2");
        line.Should().Be(2);
    }

    [Theory]
    [InlineData("KEY=v")]
    [InlineData("KEY=v # c")]
    [InlineData("KEY='v'")]
    [InlineData("KEY=\"v\" # c")]
    [InlineData("A=1\nKEY=v")]
    public void FindValue_LastLineWithoutLineBreak_IsRead(string content)
    {
        Parse(content, "KEY", out var line).Should().Be("v");
        line.Should().Be(content.Count(c => c == '\n') + 1);
    }

    [Theory]
    [InlineData("OPENAI_API_KEY", true)]
    [InlineData("Z", true)]
    [InlineData("Z_OPENAI_KEY", true)]
    [InlineData("zZ9", true)]
    [InlineData("_x", true)]
    [InlineData("a.b-c_9", true)]
    [InlineData("9a", false)]
    [InlineData("-a", false)]
    [InlineData("a b", false)]
    [InlineData("a$", false)]
    [InlineData("é", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValidName_Name_FollowsTheNameRule(string? name, bool valid)
    {
        DotEnvParser.IsValidName(name).Should().Be(valid);
    }

    [Fact]
    public void FindValue_RandomizedHostileFiles_ValueOrFormatExceptionInBoundedTime()
    {
        // Fuzz with a fixed seed: syntax-heavy alphabets, NUL, invalid and valid UTF-8, all line endings.
        string[] alphabet =
        [
            "KEY", "K", "export ", "=", " ", "\t", "#", "'", "\"", "`", "\\", "\\\\", "\\\"", "\n", "\r", "\r\n",
            "$", "{", "a", "0", ".", "-", "\0", "\u00e9", "\uFEFF", "日", "🚀",
        ];
        byte[][] rawBytes = [[0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0xFF, 0xFE]];
        var random = new Random(20260123);
        var message = new Regex(@"^/app/\.env line \d+: [^\r\n]+$", RegexOptions.CultureInvariant);
        var stopwatch = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < 3_000; i++)
        {
            using var bytes = new MemoryStream();
            var tokens = random.Next(1, 120);
            for (var t = 0; t < tokens; t++)
            {
                var raw = random.Next(20) == 0
                    ? rawBytes[random.Next(rawBytes.Length)]
                    : Encoding.UTF8.GetBytes(alphabet[random.Next(alphabet.Length)]);
                bytes.Write(raw);
            }

            var content = bytes.ToArray();
            var lines = 1 + content.Count(b => b == '\n') + content.Count(b => b == '\r');
            try
            {
                var value = DotEnvParser.FindValue(new MemoryStream(content), "KEY", FilePath, out var line);
                (value is null ? line == 0 : line >= 1 && line <= lines).Should().BeTrue();
                Count(value is null ? "absent" : "value");
            }
            catch (DotEnvFormatException ex)
            {
                ex.LineNumber.Should().BeInRange(1, lines);
                message.IsMatch(ex.Message).Should().BeTrue(ex.Message);
                Count("rejected");
            }
        }

        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        outcomes.Keys.Should().Contain(["absent", "value", "rejected"], "the fuzzer must exercise every outcome");

        void Count(string outcome) => outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
    }

    private static string? Parse(string content, string variable = "KEY") => Parse(content, variable, out _);

    private static string? Parse(string content, string variable, out int line)
        => DotEnvParser.FindValue(new MemoryStream(Encoding.UTF8.GetBytes(content)), variable, FilePath, out line);

    private static string? Parse(byte[] content, string variable = "KEY")
        => DotEnvParser.FindValue(new MemoryStream(content), variable, FilePath, out _);
}
