using System.Text;
using KeyVaulting.Sources.DotEnv;

namespace KeyVaulting.Tests.Sources.DotEnv;

public class DotEnvByteReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4096)]
    public void Read_MixedLineBreaks_ReturnedAsLfAndCounted(int chunk)
    {
        using var reader = Reader("a\r\nb\rc\nd", chunk);

        ReadAll(reader).Should().Equal(
            ('a', 1), ('\n', 1), ('b', 2), ('\n', 2), ('c', 3), ('\n', 3), ('d', 4), (DotEnvByteReader.EndOfFile, 4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void Read_Utf8ByteOrderMark_Skipped(int chunk)
    {
        using var reader = Reader("\uFEFFK", chunk);

        ReadAll(reader).Should().Equal(('K', 1), (DotEnvByteReader.EndOfFile, 1));
    }

    [Fact]
    public void Read_ByteOrderMarkOnly_EndOfFile()
    {
        using var reader = Reader("\uFEFF");

        reader.Read().Should().Be(DotEnvByteReader.EndOfFile);
    }

    [Fact]
    public void Read_MultiByteCharacter_ReturnsItsBytesInOrder()
    {
        using var reader = Reader("é🚀", chunk: 1);

        ReadAll(reader).Select(r => r.Byte).Should().Equal(0xC3, 0xA9, 0xF0, 0x9F, 0x9A, 0x80, DotEnvByteReader.EndOfFile);
    }

    [Fact]
    public void Read_InvalidContinuationByte_ReportedBeforeTheLeadByteIsReturned()
    {
        using var reader = new DotEnvByteReader(new MemoryStream([(byte)'\n', 0xC3, (byte)'x']), "/app/.env", CancellationToken.None);
        reader.Read().Should().Be('\n');

        var act = () => reader.Read();

        act.Should().Throw<DotEnvFormatException>().Which.Message.Should().Be("/app/.env line 2: the line is not valid UTF-8; save the file as UTF-8");
    }

    [Fact]
    public void Read_AtEndOfFile_KeepsReturningEndOfFile()
    {
        using var reader = Reader("a");

        reader.Read().Should().Be('a');
        reader.Read().Should().Be(DotEnvByteReader.EndOfFile);
        reader.Read().Should().Be(DotEnvByteReader.EndOfFile);
    }

    [Fact]
    public void Error_Problem_MessageNamesFileAndLine()
    {
        using var reader = Reader("");

        var error = reader.Error(42, "a problem");

        error.Message.Should().Be("/app/.env line 42: a problem");
        error.FilePath.Should().Be("/app/.env");
        error.LineNumber.Should().Be(42);
    }

    private static DotEnvByteReader Reader(string content, int chunk = 4096)
        => new(new TrickleStream(Encoding.UTF8.GetBytes(content), chunk), "/app/.env", CancellationToken.None);

    private static List<(int Byte, int Line)> ReadAll(DotEnvByteReader reader)
    {
        var all = new List<(int, int)>();
        int b;
        do
        {
            b = reader.Read();
            all.Add((b, reader.Line));
        }
        while (b != DotEnvByteReader.EndOfFile);

        return all;
    }
}
