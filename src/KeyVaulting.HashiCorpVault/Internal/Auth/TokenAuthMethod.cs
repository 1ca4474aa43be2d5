using KeyVaulting.HashiCorpVault.Internal.Http;

namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>The token auth method: a token given in code, in a file, in a variable, or the Vault CLI's own.</summary>
internal sealed class TokenAuthMethod(TokenSource source) : VaultAuthMethod
{
    public TokenSource Source { get; } = source;

    public override string Description => $"token auth ({Source.Description})";

    public override bool IsLogin => false;

    public override string RejectedTokenFix => Source.CanChange
        ? $"Put a valid token in {Source.Description} (for example with 'vault login'), or use a login method (AppRole, Kubernetes) so that the source can get new tokens itself."
        : "A token given in code cannot be replaced: give a valid token, use options.UseTokenFile (for example a Vault Agent sink), or a login method (AppRole, Kubernetes).";

    public override Task<VaultToken> GetTokenAsync(VaultClient client, CancellationToken cancellationToken)
    {
        var token = Source.Read(client.SourceName);
        client.Redactor.Add(token);
        return Task.FromResult(new VaultToken(token, Ttl: null, Renewable: false));
    }
}
