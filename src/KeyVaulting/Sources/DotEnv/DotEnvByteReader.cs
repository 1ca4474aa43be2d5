using System.Security.Cryptography;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// Reads a <c>.env</c> file one byte at a time for <see cref="DotEnvParser"/>: skips a UTF-8 byte order mark, turns
/// CRLF and a lone CR into LF, counts lines, and rejects NUL bytes, UTF-16 files and invalid UTF-8 with the file and
/// line. It holds one 4 KiB buffer, zeroed when disposed, whatever the size of the file or of its lines.
/// </summary>
/// <remarks>
/// Every structural character of the syntax is ASCII, and UTF-8 never uses an ASCII byte inside a multi-byte
/// sequence, so the parser can work on bytes once every byte has been validated here.
/// </remarks>
internal sealed class DotEnvByteReader : IDisposable
{
    public const int EndOfFile = -1;

    private const int BufferSize = 4096;

    private readonly Stream _stream;
    private readonly string _filePath;
    private readonly CancellationToken _cancellationToken;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _position;
    private int _length;
    private bool _started;
    private bool _endOfStream;
    private bool _lineBreakPending;

    // The continuation bytes of the current multi-byte UTF-8 sequence, validated and waiting to be returned.
    private readonly byte[] _sequence = new byte[3];
    private int _sequenceIndex;
    private int _sequenceLength;

    public DotEnvByteReader(Stream stream, string filePath, CancellationToken cancellationToken)
    {
        _stream = stream;
        _filePath = filePath;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Gets the 1-based line of the byte last returned by <see cref="Read"/>.</summary>
    public int Line { get; private set; } = 1;

    /// <summary>Returns the next byte, <c>'\n'</c> for any line break, or <see cref="EndOfFile"/>.</summary>
    public int Read()
    {
        if (_lineBreakPending)
        {
            _lineBreakPending = false;
            Line++;
        }

        var b = ReadByte();
        if (b == '\r')
        {
            if (PeekByte() == '\n')
            {
                ReadByte();
            }

            b = '\n';
        }

        if (b == '\n')
        {
            _lineBreakPending = true;
        }

        return b;
    }

    /// <summary>Creates the exception for a problem on <paramref name="line"/>.</summary>
    public DotEnvFormatException Error(int line, string problem) => new(_filePath, line, problem);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_buffer);
        CryptographicOperations.ZeroMemory(_sequence);
    }

    private int ReadByte()
    {
        if (_sequenceIndex < _sequenceLength)
        {
            return _sequence[_sequenceIndex++];
        }

        var b = ReadRawByte();
        if (b is EndOfFile or (> 0 and < 0x80))
        {
            return b;
        }

        if (b == 0)
        {
            throw Error(Line, "the file contains a NUL byte; a .env file is UTF-8 text, not UTF-16 or binary");
        }

        ReadRestOfSequence(b);
        return b;
    }

    /// <summary>
    /// Reads and checks the continuation bytes of the UTF-8 sequence that <paramref name="lead"/> starts, before the
    /// lead byte is returned, so that invalid UTF-8 is reported as such rather than as a syntax error.
    /// </summary>
    private void ReadRestOfSequence(int lead)
    {
        // The ranges rule out overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and > U+10FFFF.
        var (length, min, max) = lead switch
        {
            >= 0xC2 and <= 0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xED => (2, 0x80, 0x9F),
            >= 0xE1 and <= 0xEF => (2, 0x80, 0xBF),
            0xF0 => (3, 0x90, 0xBF),
            >= 0xF1 and <= 0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => throw InvalidUtf8(),
        };

        for (var i = 0; i < length; i++)
        {
            var b = ReadRawByte();
            if (b < min || b > max)
            {
                throw InvalidUtf8();
            }

            _sequence[i] = (byte)b;
            (min, max) = (0x80, 0xBF);
        }

        _sequenceIndex = 0;
        _sequenceLength = length;
    }

    private int ReadRawByte() => _position < _length || Fill() ? _buffer[_position++] : EndOfFile;

    private int PeekByte() => _position < _length || Fill() ? _buffer[_position] : EndOfFile;

    private bool Fill()
    {
        while (!_endOfStream)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            _position = 0;
            _length = _started ? _stream.Read(_buffer, 0, _buffer.Length) : ReadFirstBlock();
            if (_length == 0)
            {
                _endOfStream = true;
            }
            else if (_position < _length)
            {
                return true;
            }
        }

        return false;
    }

    private int ReadFirstBlock()
    {
        _started = true;
        var length = _stream.ReadAtLeast(_buffer, 3, throwOnEndOfStream: false);
        if (length >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
        {
            _position = 3;
        }
        else if (length >= 2 && ((_buffer[0] == 0xFF && _buffer[1] == 0xFE) || (_buffer[0] == 0xFE && _buffer[1] == 0xFF)))
        {
            throw Error(1, "the file is UTF-16 text (Windows PowerShell's '>' and Out-File write UTF-16); save it as UTF-8");
        }

        return length;
    }

    private DotEnvFormatException InvalidUtf8() => Error(Line, "the line is not valid UTF-8; save the file as UTF-8");
}
