using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Internal.Http;

namespace KeyVaulting.HashiCorpVault.Internal.Auth;

/// <summary>The Kubernetes auth method: a role plus the pod's service-account JWT, read from its file at each login.</summary>
internal sealed class KubernetesAuthMethod(string role, SecretReference jwt, string mountPath)
    : VaultLoginMethod("Kubernetes", mountPath)
{
    public string Role { get; } = role;

    public SecretReference Jwt { get; } = jwt;

    public override string Description => $"Kubernetes auth, role '{Role}' (auth/{MountPath})";

    protected override string LoginFix
        => $"Check that the role '{Role}' exists at auth/{MountPath} and is bound to this pod's service account and namespace, and that {Jwt.Description} holds the pod's service-account token.";

    protected override JsonObject CreateLoginBody(VaultClient client)
    {
        if (!Jwt.TryRead(out var token, out var problem))
        {
            throw new OpenAIKeySourceException(
                client.SourceName,
                $"Cannot read the Kubernetes service-account token: {problem}. Run in a pod with a mounted service-account token (automountServiceAccountToken), or give its path (options.UseKubernetes jwtPath; in configuration, JwtPath).",
                isTransient: false);
        }

        client.Redactor.Add(token);
        return new JsonObject { ["role"] = Role, ["jwt"] = token };
    }
}
