using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KeyVaulting.Rotation.Internal;

/// <summary>
/// The id of the rotation that starts from a given state: the same on every instance, so that a store's idempotency
/// token (a Secrets Manager <c>ClientRequestToken</c>) lets only one of them stage; and the names of the keys minted.
/// </summary>
internal static class RotationIds
{
    /// <summary>A GUID (format D) derived from the target's name and the state's version and current key.</summary>
    public static string From(string targetName, OpenAIKeyRotationState state)
    {
        var text = string.Join('\n', targetName, state.Version ?? string.Empty, state.Current?.KeyId ?? string.Empty, state.Current?.CreatedAt?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? string.Empty);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return new Guid(hash[..16]).ToString("D");
    }

    /// <summary>The short form of a rotation id that ends each minted key's name.</summary>
    public static string Short(string rotationId)
    {
        var compact = rotationId.Replace("-", string.Empty, StringComparison.Ordinal);
        return compact.Length <= 8 ? compact : compact[..8];
    }

    /// <summary><c>{prefix}-{environment}-{yyyyMMddTHHmmssZ}-{short id}</c>.</summary>
    public static string KeyName(string namePrefix, DateTimeOffset startedAt, string rotationId)
        => string.Create(CultureInfo.InvariantCulture, $"{namePrefix}{startedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Short(rotationId)}");
}
