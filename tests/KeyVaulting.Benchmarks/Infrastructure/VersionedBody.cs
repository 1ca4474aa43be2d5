namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// The encoded answer of a store fake for the current version of a <see cref="RotatingKey"/>, encoded once per
/// version: a read costs the server the same before and after a rotation, and a rotation allocates nothing.
/// </summary>
internal sealed class VersionedBody(RotatingKey key, Func<RotatingKey.Version, byte[]> encode)
{
    private readonly byte[][] _bodies = [[], []];

    /// <summary>Gets the body for the version the store serves now.</summary>
    public byte[] Current
    {
        get
        {
            var version = key.Current;
            var body = Volatile.Read(ref _bodies[version.Index]);
            if (body.Length == 0)
            {
                body = encode(version);
                Volatile.Write(ref _bodies[version.Index], body);
            }

            return body;
        }
    }
}
