namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>A Vault token and what Vault said about its lifetime.</summary>
/// <param name="Value">The token. A secret: never logged.</param>
/// <param name="Ttl">Its time to live; zero when it never expires; null when unknown (a token given by the user).</param>
/// <param name="Renewable">Whether <c>auth/token/renew-self</c> can extend it.</param>
internal readonly record struct VaultToken(string Value, TimeSpan? Ttl, bool Renewable)
{
    /// <summary>Keeps the token out of <c>ToString()</c>, debugger views and any accidental logging.</summary>
    public override string ToString() => $"VaultToken (ttl {Ttl?.ToString() ?? "unknown"}, renewable {Renewable})";
}
