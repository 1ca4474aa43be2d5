using System.Security.Cryptography;
using System.Text;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// Collects the bytes of the one value <see cref="DotEnvParser"/> is looking for, up to a cap. Every array it lets go
/// of, and its own when disposed, is zeroed first: the value is a secret.
/// </summary>
internal sealed class DotEnvValueBuffer : IDisposable
{
    private readonly int _maxLength;
    private byte[] _bytes = [];

    public DotEnvValueBuffer(int maxLength) => _maxLength = maxLength;

    public int Length { get; private set; }

    /// <summary>Forgets the bytes collected so far (a later assignment of the same variable wins).</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_bytes.AsSpan(0, Length));
        Length = 0;
    }

    /// <summary>Appends a byte; <see langword="false"/> when the value would exceed the cap.</summary>
    public bool TryAppend(int b)
    {
        if (Length == _bytes.Length)
        {
            if (Length >= _maxLength)
            {
                return false;
            }

            var larger = new byte[Math.Min(_maxLength, Math.Max(64, Length * 2))];
            _bytes.AsSpan(0, Length).CopyTo(larger);
            CryptographicOperations.ZeroMemory(_bytes);
            _bytes = larger;
        }

        _bytes[Length++] = (byte)b;
        return true;
    }

    /// <summary>Removes trailing spaces and tabs (an unquoted value ends at its last other character).</summary>
    public void TrimEndBlanks()
    {
        while (Length > 0 && _bytes[Length - 1] is (byte)' ' or (byte)'\t')
        {
            _bytes[--Length] = 0;
        }
    }

    /// <summary>Decodes the collected bytes, which <see cref="DotEnvByteReader"/> has validated as UTF-8.</summary>
    public string DecodeUtf8() => Encoding.UTF8.GetString(_bytes, 0, Length);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_bytes);
        Length = 0;
    }
}
