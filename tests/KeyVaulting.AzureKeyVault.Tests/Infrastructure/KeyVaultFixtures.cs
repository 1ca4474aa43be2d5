using System.Text.Json.Nodes;
using KeyVaulting.Testing;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>
/// Key Vault's real responses, recorded by the Azure SDK team (tests/fixtures/azure, see SOURCES.md), used as
/// templates by <see cref="FakeKeyVault"/>.
/// </summary>
internal static class KeyVaultFixtures
{
    private static readonly Lazy<JsonObject> Challenge = new(() => Load("keyvault-401-challenge.extracted.json"));
    private static readonly Lazy<JsonObject> Secret = new(() => Load("keyvault-get-secret-200.extracted.json"));
    private static readonly Lazy<JsonObject> NotFound = new(() => Load("keyvault-404-secret-not-found.extracted.json"));

    /// <summary>Gets the WWW-Authenticate header of Key Vault's 401 challenge.</summary>
    public static string ChallengeHeader => Challenge.Value["headers"]!["WWW-Authenticate"]!.GetValue<string>();

    /// <summary>Gets the tenant named by the challenge's authorization URI.</summary>
    public static string ChallengeTenant => new Uri(ChallengeHeader.Split('"')[1]).AbsolutePath.Trim('/');

    /// <summary>Gets the body of Key Vault's 401 challenge.</summary>
    public static string ChallengeBody => Challenge.Value["body"]!.ToJsonString();

    /// <summary>Builds a GET secret response from the recorded one, with this secret's value, id and attributes.</summary>
    public static string SecretBody(Uri vaultUri, string name, SecretVersion version)
    {
        var body = Secret.Value["body"]!.DeepClone().AsObject();
        body["value"] = version.Value;
        body["id"] = new Uri(vaultUri, $"secrets/{name}/{version.Id}").ToString();
        var attributes = body["attributes"]!.AsObject();
        attributes["enabled"] = version.Enabled;
        if (version.Created != default)
        {
            attributes["created"] = version.Created.ToUnixTimeSeconds();
            attributes["updated"] = version.Created.ToUnixTimeSeconds();
        }

        if (version.Tags.Count > 0)
        {
            var tags = new JsonObject();
            foreach (var (tag, text) in version.Tags)
            {
                tags[tag] = text;
            }

            body["tags"] = tags;
        }
        if (version.ExpiresOn is { } exp)
        {
            attributes["exp"] = exp.ToUnixTimeSeconds();
        }

        if (version.NotBefore is { } nbf)
        {
            attributes["nbf"] = nbf.ToUnixTimeSeconds();
        }

        return body.ToJsonString();
    }

    /// <summary>Builds Key Vault's SecretNotFound error from the recorded one, for this secret (and version).</summary>
    public static string SecretNotFoundBody(string nameOrId)
    {
        var body = NotFound.Value["body"]!.DeepClone().AsObject();
        var error = body["error"]!.AsObject();
        error["message"] = error["message"]!.GetValue<string>().Replace("ShouldNotExist", nameOrId, StringComparison.Ordinal);
        return body.ToJsonString();
    }

    /// <summary>
    /// Key Vault's 403 for a disabled secret, as reported from real vaults (Azure/azure-sdk-for-js#24756,
    /// ansible-collections/azure#1989): code Forbidden, inner error SecretDisabled.
    /// </summary>
    public static string SecretDisabledBody()
        => ForbiddenBody("Operation get is not allowed on a disabled secret.", "SecretDisabled");

    /// <summary>Key Vault's 403 for an identity without a role assignment on an Azure RBAC vault (inner error ForbiddenByRbac).</summary>
    /// <param name="action">The data action denied: <c>getSecret/action</c> for a read, <c>setSecret/action</c> for Set Secret.</param>
    public static string ForbiddenByRbacBody(string action = "getSecret/action")
        => ForbiddenBody(
            $"Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nAction: 'Microsoft.KeyVault/vaults/secrets/{action}'",
            "ForbiddenByRbac");

    /// <summary>Key Vault's 403 for an identity missing from an access-policy vault's policies (inner error AccessDenied).</summary>
    public static string AccessDeniedBody()
        => ForbiddenBody("The user, group or application does not have secrets get permission on key vault.", "AccessDenied");

    public static string ErrorBody(string code, string message)
        => new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString();

    private static string ForbiddenBody(string message, string innerCode)
        => new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "Forbidden",
                ["message"] = message,
                ["innererror"] = new JsonObject { ["code"] = innerCode },
            },
        }.ToJsonString();

    private static JsonObject Load(string file)
        => JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("azure", file)))!.AsObject();
}
