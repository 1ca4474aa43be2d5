using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Internal.Http;

namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>
/// An auth method that logs in with <c>POST /v1/auth/{mount}/login</c> and reads the token from the answer's
/// <c>auth.client_token</c>, <c>auth.lease_duration</c> and <c>auth.renewable</c>.
/// </summary>
internal abstract class VaultLoginMethod(string name, string mountPath) : VaultAuthMethod
{
    public string Name { get; } = name;

    public string MountPath { get; } = mountPath;

    public string LoginPath => $"auth/{MountPath}/login";

    public override bool IsLogin => true;

    public override string RejectedTokenFix
        => $"Vault rejected the token it had just issued through {LoginPath}: check the token policies and TTLs of the {Name} role.";

    public override async Task<VaultToken> GetTokenAsync(VaultClient client, CancellationToken cancellationToken)
    {
        var body = CreateLoginBody(client);
        var operation = $"the {Name} login at {LoginPath}";
        using var response = await client.SendAsync(HttpMethod.Post, LoginPath, query: null, token: null, body, operation, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw VaultErrors.Failure(client.SourceName, response, operation, LoginFix);
        }

        var auth = response.Auth;
        var token = VaultResponse.String(auth, "client_token");
        if (string.IsNullOrEmpty(token))
        {
            throw new OpenAIKeySourceException(
                client.SourceName,
                $"Vault answered {operation} without auth.client_token. Check that auth/{MountPath} is a {Name} auth method.",
                isTransient: false);
        }

        client.Redactor.Add(token);
        var seconds = VaultResponse.Number(auth, "lease_duration") ?? 0;
        var renewable = VaultResponse.Boolean(auth, "renewable") ?? false;
        return new VaultToken(token, TimeSpan.FromSeconds(Math.Max(seconds, 0)), renewable);
    }

    /// <summary>Reads the credentials and builds the login request; registers every secret with the redactor.</summary>
    protected abstract JsonObject CreateLoginBody(VaultClient client);

    /// <summary>Gets what to check when Vault refuses the login.</summary>
    protected abstract string LoginFix { get; }
}
