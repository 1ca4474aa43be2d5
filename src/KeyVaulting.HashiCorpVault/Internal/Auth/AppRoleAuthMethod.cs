using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Internal.Http;

namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>The AppRole auth method: <c>role_id</c> plus a <c>secret_id</c> read from a file or a variable at each login.</summary>
internal sealed class AppRoleAuthMethod(string roleId, SecretReference secretId, string mountPath)
    : VaultLoginMethod("AppRole", mountPath)
{
    public string RoleId { get; } = roleId;

    public SecretReference SecretId { get; } = secretId;

    public override string Description => $"AppRole auth (auth/{MountPath})";

    protected override string LoginFix
        => $"Check the role_id and the secret_id in {SecretId.Description} (a secret_id expires, and may be limited in uses), and that the AppRole auth method is enabled at auth/{MountPath}.";

    protected override JsonObject CreateLoginBody(VaultClient client)
    {
        var secret = SecretId.Read(client.SourceName);
        client.Redactor.Add(secret);
        client.Redactor.Add(RoleId);
        return new JsonObject { ["role_id"] = RoleId, ["secret_id"] = secret };
    }
}
