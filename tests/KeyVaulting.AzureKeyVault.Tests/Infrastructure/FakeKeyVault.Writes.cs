using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.AzureKeyVault.Tests.Infrastructure;

/// <summary>
/// The write side of <see cref="FakeKeyVault"/>, after Key Vault's REST reference: <c>PUT /secrets/{name}</c> (Set
/// Secret: a new version, which becomes the latest; value, tags and attributes), <c>GET /secrets/{name}/versions</c>
/// (Get Secret Versions: every version's id, attributes and tags, never a value; paged with <c>maxresults</c> and
/// <c>nextLink</c>) and <c>PATCH /secrets/{name}/{version}</c> (Update Secret: attributes and tags of one version, the
/// value unchanged; the tags given replace the version's).
/// </summary>
internal sealed partial class FakeKeyVault
{
    /// <summary>Gets or sets the clock of the versions' creation times (whole seconds, as Key Vault keeps them).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    private DateTimeOffset _lastCreated;

    /// <summary>Gets the versions of a secret, oldest first.</summary>
    public IReadOnlyList<SecretVersion> VersionsOf(string name)
    {
        if (!_secrets.TryGetValue(name, out var versions))
        {
            return [];
        }

        lock (versions)
        {
            return [.. versions];
        }
    }

    /// <summary>Gets the latest version of a secret, or null.</summary>
    public SecretVersion? Latest(string name) => VersionsOf(name).LastOrDefault();

    private async Task<bool> TryHandleWriteAsync(HttpContext context, string[] segments)
    {
        var method = context.Request.Method;
        if (segments.Length < 2 || segments[0] != "secrets")
        {
            return false;
        }

        if (method == "PUT" && segments.Length == 2)
        {
            await SetAsync(context, segments[1]);
            return true;
        }

        if (method == "GET" && segments.Length == 3 && segments[2] == "versions")
        {
            await ListVersionsAsync(context, segments[1]);
            return true;
        }

        if (method == "PATCH" && segments.Length == 3)
        {
            await UpdateAsync(context, segments[1], segments[2]);
            return true;
        }

        return false;
    }

    private async Task SetAsync(HttpContext context, string name)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        if (body?["value"] is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            await WriteAsync(context, 400, KeyVaultFixtures.ErrorBody("BadParameter", "The request body must contain a 'value'."));
            return;
        }

        var attributes = body["attributes"] as JsonObject;
        var tags = ReadTags(body["tags"]);
        if (tags.Count > 15)
        {
            await WriteAsync(context, 400, KeyVaultFixtures.ErrorBody("BadParameter", "A secret can have at most 15 tags."));
            return;
        }

        var version = AddVersion(name, text, enabled: attributes?["enabled"]?.GetValue<bool>() ?? true, expiresOn: Seconds(attributes?["exp"]), tags: tags);
        await WriteAsync(context, 200, KeyVaultFixtures.SecretBody(VaultUri, name, version));
    }

    private async Task ListVersionsAsync(HttpContext context, string name)
    {
        var versions = VersionsOf(name);
        if (versions.Count == 0)
        {
            await WriteAsync(context, 404, KeyVaultFixtures.SecretNotFoundBody(name));
            return;
        }

        // Key Vault pages its lists (at most 25 items per page by default): a client that ignores nextLink misses versions.
        var skip = int.TryParse(context.Request.Query["$skiptoken"], out var s) ? s : 0;
        var page = versions.Skip(skip).Take(3).ToList();
        var items = new JsonArray();
        foreach (var version in page)
        {
            var item = JsonNode.Parse(KeyVaultFixtures.SecretBody(VaultUri, name, version))!.AsObject();
            item.Remove("value");
            items.Add(item);
        }

        var next = skip + page.Count < versions.Count
            ? new Uri(VaultUri, $"secrets/{name}/versions?api-version={context.Request.Query["api-version"]}&$skiptoken={skip + page.Count}").ToString()
            : null;
        await WriteAsync(context, 200, new JsonObject { ["value"] = items, ["nextLink"] = next }.ToJsonString());
    }

    private async Task UpdateAsync(HttpContext context, string name, string versionId)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        var version = VersionsOf(name).FirstOrDefault(v => v.Id == versionId);
        if (version is null)
        {
            await WriteAsync(context, 404, KeyVaultFixtures.SecretNotFoundBody($"{name}/{versionId}"));
            return;
        }

        var attributes = body?["attributes"] as JsonObject;
        var updated = version with
        {
            Enabled = attributes?["enabled"]?.GetValue<bool>() ?? version.Enabled,
            ExpiresOn = attributes?.ContainsKey("exp") == true ? Seconds(attributes["exp"]) : version.ExpiresOn,
            Tags = body?["tags"] is { } tags ? ReadTags(tags) : version.Tags,
        };
        Replace(name, updated);
        var answer = JsonNode.Parse(KeyVaultFixtures.SecretBody(VaultUri, name, updated))!.AsObject();
        answer.Remove("value");
        await WriteAsync(context, 200, answer.ToJsonString());
    }

    /// <summary>
    /// A new version's creation time: now, in whole seconds as Key Vault keeps them, and at least a second after the
    /// previous version's, so that the order of the tests' writes is the order of the creation times.
    /// </summary>
    private DateTimeOffset NextCreated()
    {
        lock (_secrets)
        {
            var now = DateTimeOffset.FromUnixTimeSeconds(Time.GetUtcNow().ToUnixTimeSeconds());
            _lastCreated = now > _lastCreated ? now : _lastCreated.AddSeconds(1);
            return _lastCreated;
        }
    }

    private void Replace(string name, SecretVersion version)
    {
        var versions = _secrets[name];
        lock (versions)
        {
            var index = versions.FindIndex(v => v.Id == version.Id);
            versions[index] = version;
        }
    }

    private static Dictionary<string, string> ReadTags(JsonNode? node)
        => node is JsonObject tags
            ? tags.ToDictionary(t => t.Key, t => t.Value!.GetValue<string>(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static DateTimeOffset? Seconds(JsonNode? node) => node is null ? null : DateTimeOffset.FromUnixTimeSeconds(node.GetValue<long>());
}
