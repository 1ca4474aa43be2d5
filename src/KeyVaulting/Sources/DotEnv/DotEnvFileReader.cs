using System.Text;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// Reads a whole <c>.env</c> file, up to <see cref="MaxFileBytes"/>, as text: UTF-8 with or without a byte order mark,
/// or UTF-16 (little or big endian) with one. Invalid text and NUL characters are refused with their line.
/// </summary>
internal static class DotEnvFileReader
{
    /// <summary>The largest file read (1 MiB): a <c>.env</c> file holds a few settings.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Encoding StrictUtf16 = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly Encoding StrictUtf16BigEndian = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);

    /// <summary>Reads and decodes the file.</summary>
    /// <exception cref="DotEnvFormatException">The file is too large, is not valid text, or contains a NUL character.</exception>
    public static string ReadText(Stream stream, string filePath, CancellationToken cancellationToken)
    {
        var bytes = ReadCapped(stream, filePath, cancellationToken);
        var (skip, strict, lenient) = bytes switch
        {
            [0xEF, 0xBB, 0xBF, ..] => (3, StrictUtf8, Encoding.UTF8),
            [0xFF, 0xFE, ..] => (2, StrictUtf16, Encoding.Unicode),
            [0xFE, 0xFF, ..] => (2, StrictUtf16BigEndian, Encoding.BigEndianUnicode),
            _ => (0, StrictUtf8, Encoding.UTF8),
        };

        string text;
        try
        {
            text = strict.GetString(bytes[skip..]);
        }
        catch (DecoderFallbackException ex)
        {
            // The index is that of the invalid sequence (of the code unit after a lone high surrogate at most).
            var before = lenient.GetString(bytes.Slice(skip, ex.Index));
            throw new DotEnvFormatException(filePath, LineAt(before, before.Length), $"the line is not valid {(strict == StrictUtf8 ? "UTF-8" : "UTF-16")}; save the file as UTF-8");
        }

        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        return nul < 0
            ? text
            : throw new DotEnvFormatException(filePath, LineAt(text, nul), "the file contains a NUL byte; a .env file is text: UTF-8, or UTF-16 with a byte order mark");
    }

    private static ReadOnlySpan<byte> ReadCapped(Stream stream, string filePath, CancellationToken cancellationToken)
    {
        // One byte more than the length, to notice a file that grew; a stream without a length grows the buffer.
        var buffer = new byte[stream.CanSeek ? Math.Clamp(stream.Length - stream.Position, 0, MaxFileBytes) + 1 : 4096];
        var length = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                return buffer.AsSpan(0, length);
            }

            length += read;
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, length <= MaxFileBytes ? Math.Min(length * 2, MaxFileBytes + 1) : throw TooLarge(filePath));
            }
        }
    }

    /// <summary>The error for a file larger than <see cref="MaxFileBytes"/>.</summary>
    public static DotEnvFormatException TooLarge(string filePath) => new(
        filePath,
        "the file is larger than 1 MiB, the most KeyVaulting reads from a .env file. A .env file holds a few settings (an OpenAI key is a few hundred bytes): check that the path names the right file, and keep only settings in it");

    /// <summary>The 1-based line of <paramref name="index"/>: LF, CRLF and a lone CR each end a line.</summary>
    private static int LineAt(string text, int index)
    {
        var before = text.AsSpan(0, index);
        return 1 + before.Count('\n') + before.Count('\r') - before.Count("\r\n");
    }
}
