namespace KeyVaulting.Tests.Sources.DotEnv;

/// <summary>
/// A read-only stream that returns at most <c>chunk</c> bytes per read, as a pipe or a network file system may: proves
/// the parser never assumes a read fills its buffer (byte order mark, CRLF and UTF-8 split across reads).
/// </summary>
internal sealed class TrickleStream(byte[] content, int chunk = 1) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, chunk), content.Length - _position);
        Array.Copy(content, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
