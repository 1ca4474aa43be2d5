namespace KeyVaulting.Rotation.Internal;

/// <summary>The fingerprint of a value, as <see cref="OpenAIKey.Fingerprint"/> shows it, without a source name.</summary>
internal static class OpenAIKeyFingerprint
{
    public static string Of(string value) => new OpenAIKey(value, "fingerprint").Fingerprint;
}
