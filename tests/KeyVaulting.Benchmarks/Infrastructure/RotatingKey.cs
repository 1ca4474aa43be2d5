namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// The secret a store fake serves. <see cref="Rotate"/> makes the store serve the other of two generated keys, under
/// the other of two version numbers, so that every rotation is a real change of value and version (as a rotation in a
/// real store is) while the fake, which encodes each version once, allocates nothing per rotation.
/// </summary>
internal sealed class RotatingKey
{
    private readonly Version[] _versions;
    private volatile Version _current;

    public RotatingKey(char first, char second)
    {
        _versions = [new Version(BenchmarkKeys.Project(first), 1, 0), new Version(BenchmarkKeys.Project(second), 2, 1)];
        _current = _versions[0];
    }

    /// <summary>Gets the version the store serves now.</summary>
    public Version Current => _current;

    /// <summary>Makes the store serve the other key under the other version number.</summary>
    /// <returns>The new key.</returns>
    public string Rotate()
    {
        var next = _versions[_current.Index ^ 1];
        _current = next;
        return next.Value;
    }

    /// <summary>One version of the secret.</summary>
    /// <param name="Value">The key.</param>
    /// <param name="Number">The version number the store reports (1 or 2).</param>
    /// <param name="Index">The version's slot (0 or 1).</param>
    internal sealed record Version(string Value, int Number, int Index);
}
