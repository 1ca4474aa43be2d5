using System.Globalization;
using System.Text.Json;
using KeyVaulting.HashiCorpVault.Diagnostics;
using KeyVaulting.HashiCorpVault.Internal.Auth;
using KeyVaulting.HashiCorpVault.Internal.Http;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Internal;

/// <summary>
/// Reads the key from a KV secret in HashiCorp Vault on every fetch: <c>GET /v1/{mount}/data/{path}</c> (KV v2, with
/// <c>?version=</c> when pinned) or <c>GET /v1/{mount}/{path}</c> (KV v1). The KV v2 version becomes the key's
/// version and a lease duration its expiry. A token Vault rejects is replaced once per fetch, never in a loop.
/// </summary>
internal sealed class HashiCorpVaultKeySource : IOpenAIKeySource, IDisposable
{
    private readonly VaultSourceSettings _settings;
    private readonly VaultClient _client;
    private readonly VaultTokenManager _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public HashiCorpVaultKeySource(VaultSourceSettings settings, VaultClient client, VaultTokenManager tokens, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _client = client;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    public string Name => _settings.SourceName;

    private string Operation => $"the read of {_settings.SecretPath}";

    public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        var response = await ReadAsync(token, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.Status == 403 && await _tokens.IsTokenRejectedAsync(response, token, cancellationToken).ConfigureAwait(false))
            {
                var replacement = await _tokens.ReplaceRejectedTokenAsync(token, cancellationToken).ConfigureAwait(false)
                    ?? throw new OpenAIKeySourceException(
                        Name,
                        $"Vault rejected the token from {_settings.Auth.Description} as invalid ({response.Describe()}): it expired or was revoked. {_settings.Auth.RejectedTokenFix}",
                        isTransient: false);

                // One retry with the new token; whatever Vault answers now is the answer.
                response.Dispose();
                response = await ReadAsync(replacement, cancellationToken).ConfigureAwait(false);
            }

            return Interpret(response);
        }
        finally
        {
            response.Dispose();
        }
    }

    public void Dispose()
    {
        _tokens.Dispose();
        _client.Dispose();
    }

    private Task<VaultResponse> ReadAsync(string token, CancellationToken cancellationToken)
    {
        var query = _settings.Version is { } version ? string.Create(CultureInfo.InvariantCulture, $"?version={version}") : null;
        return _client.SendAsync(HttpMethod.Get, _settings.SecretPath, query, token, body: null, Operation, cancellationToken);
    }

    private OpenAIKeySourceResult Interpret(VaultResponse response)
    {
        if (response.IsSuccess)
        {
            return _settings.KvVersion == 2 ? ReadVersioned(response) : ReadUnversioned(response);
        }

        return response.Status switch
        {
            404 => NotFound(response),
            403 => throw Forbidden(response),
            _ => throw VaultErrors.Failure(Name, response, Operation, $"Check MountPoint ('{_settings.MountPoint}'), the path ('{_settings.Path}') and KvVersion ({_settings.KvVersion})."),
        };
    }

    private OpenAIKeySourceResult ReadVersioned(VaultResponse response)
    {
        var metadata = VaultResponse.Property(response.Data, "metadata");
        var version = VaultResponse.Number(metadata, "version");
        var fields = VaultResponse.Property(response.Data, "data");
        if (fields is null)
        {
            if (Deleted(metadata) is { } deleted)
            {
                return OpenAIKeySourceResult.NotFound(deleted);
            }

            throw new OpenAIKeySourceException(
                Name,
                $"Vault answered {Operation} without data.data. Check that '{_settings.MountPoint}' is a KV version 2 mount, or set KvVersion to 1.",
                isTransient: false);
        }

        return Found(fields.Value, version?.ToString(CultureInfo.InvariantCulture), response);
    }

    private OpenAIKeySourceResult ReadUnversioned(VaultResponse response)
    {
        var fields = response.Data
            ?? throw new OpenAIKeySourceException(Name, $"Vault answered {Operation} without data. Check MountPoint and KvVersion.", isTransient: false);
        return Found(fields, version: null, response);
    }

    private OpenAIKeySourceResult Found(JsonElement fields, string? version, VaultResponse response)
    {
        var where = version is null ? _settings.SecretPath : $"{_settings.SecretPath} (version {version})";
        var value = SecretJsonField.Extract(fields, _settings.JsonField, Name, $"the secret at {where}");
        if (string.IsNullOrWhiteSpace(value))
        {
            // A failure, not an absence: a blanked production secret must not switch the app to the next source's key.
            throw new OpenAIKeySourceException(
                Name,
                $"The field '{_settings.JsonField}' (JsonField) of the secret at {where} is empty. Write the key into it, or point JsonField at the field that holds it.",
                isTransient: false);
        }

        _client.Redactor.Add(value);
        DateTimeOffset? expiresAt = response.LeaseDurationSeconds > 0
            ? _time.GetUtcNow() + TimeSpan.FromSeconds(response.LeaseDurationSeconds)
            : null;
        Log.SecretRead(_logger, Name, _settings.SecretPath, version);
        return OpenAIKeySourceResult.Found(value, version, expiresAt);
    }

    private OpenAIKeySourceResult NotFound(VaultResponse response)
    {
        if (_settings.KvVersion == 2 && Deleted(VaultResponse.Property(response.Data, "metadata")) is { } deleted)
        {
            return OpenAIKeySourceResult.NotFound(deleted);
        }

        var what = _settings.Version is { } pinned
            ? $"Vault has no version {pinned} of the secret at {_settings.SecretPath}"
            : $"Vault has no secret at {_settings.SecretPath}";
        var warnings = response.Warnings.Count > 0 ? $"; Vault warned: {string.Join("; ", response.Warnings)}" : string.Empty;
        return OpenAIKeySourceResult.NotFound(
            $"{what} ({response.Describe()}{warnings}). Check MountPoint ('{_settings.MountPoint}'), the path ('{_settings.Path}'){(_settings.Namespace is null ? string.Empty : $", Namespace ('{_settings.Namespace}')")} and KvVersion ({_settings.KvVersion})");
    }

    /// <summary>Describes a deleted or destroyed KV v2 version from its metadata, or returns null.</summary>
    private string? Deleted(JsonElement? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        var version = VaultResponse.Number(metadata, "version")?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var cli = $"-mount={_settings.MountPoint}";
        if (VaultResponse.Boolean(metadata, "destroyed") == true)
        {
            return $"version {version} of the secret at {_settings.SecretPath} was destroyed, so it can never be read again. " +
                   $"Write a new version (vault kv put {cli} {_settings.Path} {_settings.JsonField}=...)";
        }

        if (VaultResponse.String(metadata, "deletion_time") is { Length: > 0 } deletedAt)
        {
            return $"version {version} of the secret at {_settings.SecretPath} was deleted at {deletedAt}. " +
                   $"Undelete it (vault kv undelete {cli} -versions={version} {_settings.Path}) or write a new version";
        }

        return null;
    }

    private OpenAIKeySourceException Forbidden(VaultResponse response)
    {
        if (response.HasError("invalid token"))
        {
            return new OpenAIKeySourceException(
                Name,
                $"Vault rejected the token from {_settings.Auth.Description} as invalid ({response.Describe()}) even after getting a new one. {_settings.Auth.RejectedTokenFix}",
                isTransient: false);
        }

        var inNamespace = _settings.Namespace is null ? string.Empty : $" in namespace '{_settings.Namespace}'";
        return new OpenAIKeySourceException(
            Name,
            $"Vault denied {Operation}{inNamespace} ({response.Describe()}). The token from {_settings.Auth.Description} needs a policy granting the 'read' capability on '{_settings.SecretPath}': " +
            $"path \"{_settings.SecretPath}\" {{ capabilities = [\"read\"] }}.",
            isTransient: false);
    }
}
