using KeyVaulting.HashiCorpVault.Internal.Http;

namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>How the source gets a Vault token: a given token, or a login (AppRole, Kubernetes).</summary>
internal abstract class VaultAuthMethod
{
    /// <summary>Gets a description for messages, for example <c>AppRole auth (auth/approle)</c>. Never a secret.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Gets a value indicating whether getting a token again logs in and so yields a new token; a given token can
    /// only be read again from where it came from.
    /// </summary>
    public abstract bool IsLogin { get; }

    /// <summary>Gets a token: reads the given one, or logs in.</summary>
    /// <exception cref="OpenAIKeySourceException">No token could be had; the message names the credential's place and the fix.</exception>
    public abstract Task<VaultToken> GetTokenAsync(VaultClient client, CancellationToken cancellationToken);

    /// <summary>Explains what to do when Vault rejects the token and no other token can be had.</summary>
    public abstract string RejectedTokenFix { get; }
}
