using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KeyVaulting.HashiCorpVault.Diagnostics;
using KeyVaulting.HashiCorpVault.Internal.Auth;
using KeyVaulting.HashiCorpVault.Internal.Http;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Internal.Rotation;

/// <summary>
/// The rotation target of a KV version 2 secret: every change is a new version of the secret written with
/// check-and-set (<c>options.cas</c> = the version read), so of two rotators that read the same version exactly one
/// writes. The key stays in its field (<c>JsonField</c>), which is all the source reads; what rotation keeps beside it
/// (the key's id, the staged key, the replaced key's id) is in the secret's <c>keyvaulting</c> field.
/// </summary>
/// <remarks>
/// The staged key is written too, under <c>keyvaulting.pending</c>: readers of the secret could see it, but the source
/// never serves it, and a rotator that restarts finds it and carries on instead of minting another.
/// </remarks>
internal sealed class VaultRotationTarget : IOpenAIKeyRotationTarget, IDisposable
{
    public const string MetadataField = "keyvaulting";
    public const string PendingField = "pending";
    public const string PreviousField = "previous";
    public const string PendingValueField = "api_key";
    public const string RecordField = "key";

    /// <summary>Vault's answer to a write whose <c>cas</c> is not the current version.</summary>
    private const string CasMismatch = "check-and-set parameter did not match";

    private readonly VaultSourceSettings _settings;
    private readonly VaultClient _client;
    private readonly VaultTokenManager _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private (string Version, JsonObject Fields)? _last;

    public VaultRotationTarget(VaultConnection connection)
    {
        _settings = connection.Settings;
        _client = connection.Client;
        _tokens = connection.Tokens;
        _time = connection.Time;
        _logger = connection.Logger;
    }

    public string Name => _settings.SourceName;

    private string DataPath => _settings.SecretPath;

    public async ValueTask<OpenAIKeyRotationState> ReadAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, query: null, body: null, $"the rotation's read of {DataPath}", cancellationToken).ConfigureAwait(false);
        var metadata = VaultResponse.Property(response.Data, "metadata");
        var version = VaultResponse.Number(metadata, "version");
        if (response.Status == 404)
        {
            // No secret yet (version 0, which cas accepts as "does not exist"), or its latest version deleted.
            var empty = new OpenAIKeyRotationState { Version = (version ?? 0).ToString(CultureInfo.InvariantCulture) };
            Remember(empty.Version, []);
            return empty;
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, "read");
        }

        if (VaultResponse.Property(response.Data, "data") is not { } data || version is null)
        {
            throw new OpenAIKeySourceException(
                Name,
                $"Vault answered the read of {DataPath} without data.data or metadata.version: the rotation target writes to a KV version 2 mount only. Check MountPoint ('{_settings.MountPoint}') and KvVersion.",
                isTransient: false);
        }

        var fields = (JsonObject)JsonNode.Parse(data.GetRawText())!;
        var created = VaultResponse.String(metadata, "created_time") is { } text
                      && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : (DateTimeOffset?)null;
        var versionText = version.Value.ToString(CultureInfo.InvariantCulture);
        var state = Parse(versionText, fields, created);
        Remember(versionText, fields);
        return state;
    }

    public ValueTask<bool> TryStageAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, CancellationToken cancellationToken)
        => WriteAsync(expected, newValue: null, expected.Current, pending, expected.Previous, expected.PreviousSupersededAt, pending.Key is null ? "claim" : "stage", cancellationToken);

    public ValueTask<bool> TryPromoteAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, DateTimeOffset promotedAt, CancellationToken cancellationToken)
    {
        var key = pending.Key ?? throw new ArgumentException("The pending key to promote has no value.", nameof(pending));
        return WriteAsync(expected, key.Value, pending.Record ?? new OpenAIKeyRecord(), pending: null, expected.Current, promotedAt, "promote", cancellationToken);
    }

    public ValueTask<bool> TryDiscardAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
        => WriteAsync(expected, newValue: null, expected.Current, pending: null, expected.Previous, expected.PreviousSupersededAt, "discard", cancellationToken);

    public ValueTask<bool> TryCompleteAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
        => WriteAsync(expected, newValue: null, expected.Current, expected.Pending, previous: null, supersededAt: null, "complete", cancellationToken);

    public void Dispose()
    {
        _tokens.Dispose();
        _client.Dispose();
    }

    /// <summary>Reads the state out of a version's fields: the key in JsonField, the rest in <c>keyvaulting</c>.</summary>
    private OpenAIKeyRotationState Parse(string version, JsonObject fields, DateTimeOffset? createdAt)
    {
        var value = fields[_settings.JsonField] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        _client.Redactor.Add(value);
        try
        {
            var meta = fields[MetadataField] as JsonObject;
            OpenAIKeyRecord? current = null;
            if (value is not null)
            {
                // The record describes the key only while the key is the one it was written for: a key changed by
                // hand (vault kv patch) has an unknown id, and its age is the version's.
                current = meta is not null && RotationRecordJson.Text(meta, RotationRecordJson.ValueCheck) == RotationRecordJson.Check(value)
                    ? RotationRecordJson.Read(meta)
                    : new OpenAIKeyRecord { CreatedAt = createdAt };
            }

            OpenAIKeyRotationPending? pending = null;
            if (meta?[PendingField] is JsonObject p)
            {
                var pendingValue = RotationRecordJson.Text(p, PendingValueField);
                _client.Redactor.Add(pendingValue);
                var record = RotationRecordJson.Read(p[RecordField]);
                var key = pendingValue is null ? null : new OpenAIKey(pendingValue, Name, version: null, _time.GetUtcNow(), record?.ExpiresAt);
                pending = RotationRecordJson.ReadClaim(p, key, record);
            }

            var previous = meta?[PreviousField] as JsonObject;
            return new OpenAIKeyRotationState
            {
                Version = version,
                Current = current,
                Pending = pending,
                Previous = RotationRecordJson.Read(previous),
                PreviousSupersededAt = previous is null ? null : RotationRecordJson.Time(previous, RotationRecordJson.SupersededAt),
            };
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new OpenAIKeySourceException(
                Name,
                $"The '{MetadataField}' field of the secret at {DataPath} (version {version}) is not what KeyVaulting's rotation writes ({ex.GetType().Name}). Remove that field when no rotation runs: the rotator then treats the key as one put there by hand.",
                isTransient: false);
        }
    }

    private async ValueTask<bool> WriteAsync(
        OpenAIKeyRotationState expected,
        string? newValue,
        OpenAIKeyRecord? current,
        OpenAIKeyRotationPending? pending,
        OpenAIKeyRecord? previous,
        DateTimeOffset? supersededAt,
        string change,
        CancellationToken cancellationToken)
    {
        if (!long.TryParse(expected.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var cas))
        {
            throw new ArgumentException("The expected state was not read from this target (its version is not a KV version).", nameof(expected));
        }

        var fields = await FieldsOfAsync(expected.Version!, cancellationToken).ConfigureAwait(false);
        if (fields is null)
        {
            return false; // that version is gone: the secret changed since it was read
        }

        // Every other field of the secret is written back as it was.
        var data = (JsonObject)fields.DeepClone();
        data.Remove(MetadataField);
        if (newValue is not null)
        {
            data[_settings.JsonField] = newValue;
            _client.Redactor.Add(newValue);
        }

        var value = data[_settings.JsonField] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        data[MetadataField] = Metadata(value, current, pending, previous, supersededAt);

        var body = new JsonObject
        {
            ["options"] = new JsonObject { ["cas"] = cas },
            ["data"] = data,
        };
        using var response = await SendAsync(HttpMethod.Post, query: null, body, $"the rotation's {change} write of {DataPath}", cancellationToken).ConfigureAwait(false);
        if (response.Status == 400 && response.HasError(CasMismatch))
        {
            Log.RotationWriteLost(_logger, Name, change, expected.Version);
            return false;
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, change);
        }

        var written = VaultResponse.Number(response.Data, "version");
        if (written is { } w)
        {
            Remember(w.ToString(CultureInfo.InvariantCulture), data);
        }

        Log.RotationWritten(_logger, Name, change, written);
        return true;
    }

    private JsonObject Metadata(string? value, OpenAIKeyRecord? current, OpenAIKeyRotationPending? pending, OpenAIKeyRecord? previous, DateTimeOffset? supersededAt)
    {
        var meta = current is null ? new JsonObject() : RotationRecordJson.Write(current);
        if (value is not null && current is not null)
        {
            meta[RotationRecordJson.ValueCheck] = RotationRecordJson.Check(value);
        }

        if (pending is not null)
        {
            var p = RotationRecordJson.WriteClaim(new JsonObject(), pending);
            if (pending.Record is { } record)
            {
                p[RecordField] = RotationRecordJson.Write(record);
            }

            if (pending.Key is { } key)
            {
                p[PendingValueField] = key.Value;
                _client.Redactor.Add(key.Value);
            }

            meta[PendingField] = p;
        }

        if (previous is not null)
        {
            var p = RotationRecordJson.Write(previous);
            if (supersededAt is { } at)
            {
                p[RotationRecordJson.SupersededAt] = at.ToUnixTimeSeconds();
            }

            meta[PreviousField] = p;
        }

        return meta;
    }

    /// <summary>The fields of a version: the last one read or written, else read from Vault; null when it is gone.</summary>
    private async Task<JsonObject?> FieldsOfAsync(string version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_last is { } last && last.Version == version)
            {
                return last.Fields;
            }
        }

        if (version == "0")
        {
            return [];
        }

        using var response = await SendAsync(HttpMethod.Get, $"?version={version}", body: null, $"the rotation's read of {DataPath} (version {version})", cancellationToken).ConfigureAwait(false);
        if (response.Status == 404)
        {
            return null;
        }

        if (!response.IsSuccess)
        {
            throw Failure(response, "read");
        }

        return VaultResponse.Property(response.Data, "data") is { } data ? (JsonObject)JsonNode.Parse(data.GetRawText())! : null;
    }

    private void Remember(string version, JsonObject fields)
    {
        lock (_gate)
        {
            _last = (version, fields);
        }
    }

    /// <summary>Sends one request to the secret's data path with the token; a token Vault rejects is replaced once.</summary>
    private async Task<VaultResponse> SendAsync(HttpMethod method, string? query, JsonObject? body, string operation, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        var response = await _client.SendAsync(method, DataPath, query, token, body, operation, cancellationToken).ConfigureAwait(false);
        if (response.Status == 403 && await _tokens.IsTokenRejectedAsync(response, token, cancellationToken).ConfigureAwait(false))
        {
            var replacement = await _tokens.ReplaceRejectedTokenAsync(token, cancellationToken).ConfigureAwait(false);
            if (replacement is not null)
            {
                response.Dispose();
                response = await _client.SendAsync(method, DataPath, query, replacement, body, operation, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    private OpenAIKeySourceException Failure(VaultResponse response, string change)
    {
        if (response.Status == 403)
        {
            var capability = change == "read" ? "read" : "create\", \"update";
            return new OpenAIKeySourceException(
                Name,
                $"Vault denied the rotation's {change} of {DataPath} ({response.Describe()}). The rotator's token (from {_settings.Auth.Description}) needs a policy granting \"read\", \"create\" and \"update\" on it: " +
                $"path \"{DataPath}\" {{ capabilities = [\"read\", \"create\", \"update\"] }} (missing here: \"{capability}\").",
                isTransient: false);
        }

        return VaultErrors.Failure(Name, response, $"the rotation's {change} of {DataPath}", $"Check MountPoint ('{_settings.MountPoint}') and the path ('{_settings.Path}'): the rotation target needs a KV version 2 mount.");
    }
}
