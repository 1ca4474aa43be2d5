using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using KeyVaulting.AzureKeyVault.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.AzureKeyVault.Internal.Rotation;

/// <summary>
/// The rotation target of an Azure Key Vault secret: every change is a new version written with
/// <see cref="SecretClient.SetSecretAsync(KeyVaultSecret, CancellationToken)"/>, its value the current key (what the
/// source reads: the latest version), its tags the key's id, the rotation under way and the replaced key's record, its
/// expiration date (<c>exp</c>) the key's <c>expires_at</c>.
/// </summary>
/// <remarks>
/// <para>
/// Key Vault has no conditional write, so the winner among rotators is decided after the write: each write is tagged
/// with the version it was based on, and the versions are listed after it (<see cref="KeyVaultVersionTree"/>). A write
/// that lost is withdrawn (tagged), and a lost promotion is covered with a copy of the winner, so that the latest
/// version always holds the winner's key.
/// </para>
/// <para>
/// The staged key's value is not kept (a tag is no place for a key, and a second secret would need a second
/// permission): the rotator that staged it promotes it; a rotator that restarts in between revokes it and mints
/// another. Once the replaced key is revoked, the versions that held it are disabled.
/// </para>
/// </remarks>
internal sealed class KeyVaultRotationTarget : IOpenAIKeyRotationTarget
{
    private const string PermissionHint =
        "The rotator's identity needs the 'Key Vault Secrets Officer' role on the secret (Azure RBAC vaults), or the get, list and set secret permissions (access-policy vaults).";

    private readonly SecretClient _client;
    private readonly string _secretName;
    private readonly string _credentialName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private (string Version, string Value)? _last;

    public KeyVaultRotationTarget(SecretClient client, string secretName, string credentialName, TimeProvider time, ILogger logger)
    {
        _client = client;
        _secretName = secretName;
        _credentialName = credentialName;
        _time = time;
        _logger = logger;
        Name = AzureKeyVaultKeySource.NameOf(secretName, version: null);
    }

    public string Name { get; }

    public async ValueTask<OpenAIKeyRotationState> ReadAsync(CancellationToken cancellationToken)
    {
        var (effective, _) = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (_, previous, supersededAt) = KeyVaultRotationTags.ReadPrevious(Tags(effective));
            return new OpenAIKeyRotationState
            {
                Version = effective.Id,
                Current = KeyVaultRotationTags.CurrentRecord(Tags(effective), effective.CreatedOn, effective.ExpiresOn),
                Pending = KeyVaultRotationTags.Pending(Tags(effective)),
                Previous = previous,
                PreviousSupersededAt = previous is null ? null : supersededAt,
            };
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new OpenAIKeySourceException(
                Name,
                $"The tags of version {effective.Id} of the secret '{_secretName}' in Azure Key Vault {_client.VaultUri} are not what KeyVaulting's rotation writes ({ex.GetType().Name}). " +
                $"Remove the {KeyVaultRotationTags.Prefix}* tags (or add a new version by hand) when no rotation runs: the rotator then treats the key as one put there by hand.",
                isTransient: false);
        }
    }

    public ValueTask<bool> TryStageAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, CancellationToken cancellationToken)
        => WriteAsync(expected, newValue: null, expected.Current, pending, KeepPrevious(expected), pending.Record is null ? "claim" : "stage", cancellationToken);

    public ValueTask<bool> TryPromoteAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, DateTimeOffset promotedAt, CancellationToken cancellationToken)
    {
        var key = pending.Key ?? throw new ArgumentException("The pending key to promote has no value.", nameof(pending));
        return WriteAsync(expected, key.Value, pending.Record ?? new OpenAIKeyRecord(), pending: null, (expected.Version, expected.Current, promotedAt), "promote", cancellationToken);
    }

    public ValueTask<bool> TryDiscardAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
        => WriteAsync(expected, newValue: null, expected.Current, pending: null, KeepPrevious(expected), "discard", cancellationToken);

    public async ValueTask<bool> TryCompleteAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
    {
        var (replacedVersion, _, _) = await PreviousOfAsync(expected, cancellationToken).ConfigureAwait(false);
        if (!await WriteAsync(expected, newValue: null, expected.Current, expected.Pending, (null, null, null), "complete", cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (replacedVersion is not null)
        {
            await DisableReplacedAsync(replacedVersion, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static (string? Version, OpenAIKeyRecord? Record, DateTimeOffset? SupersededAt) KeepPrevious(OpenAIKeyRotationState expected)
        => (null, expected.Previous, expected.PreviousSupersededAt); // the version is taken from the expected version's tags

    private async Task<(string? Version, OpenAIKeyRecord? Record, DateTimeOffset? SupersededAt)> PreviousOfAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken)
    {
        var (effective, _) = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        return effective.Id == expected.Version ? KeyVaultRotationTags.ReadPrevious(Tags(effective)) : (null, null, null);
    }

    /// <summary>The version Key Vault serves and the effective version of the rotation (often the same).</summary>
    private async Task<(KeyVaultVersion Effective, KeyVaultVersionTree? Tree)> ResolveAsync(CancellationToken cancellationToken)
    {
        var latest = await CallAsync("read", () => _client.GetSecretAsync(_secretName, version: null, cancellationToken), cancellationToken).ConfigureAwait(false);
        var latestVersion = Describe(latest.Properties);
        Remember(latestVersion.Id, latest.Value);
        if (latestVersion.Based is null)
        {
            return (latestVersion, null); // a version written by hand (or before any rotation): nothing is based on it yet
        }

        var tree = await ListAsync(cancellationToken).ConfigureAwait(false);
        return (tree.Effective(tree.Find(latestVersion.Id) ?? latestVersion), tree);
    }

    private async Task<KeyVaultVersionTree> ListAsync(CancellationToken cancellationToken)
    {
        var versions = new List<KeyVaultVersion>();
        try
        {
            await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync(_secretName, cancellationToken).ConfigureAwait(false))
            {
                versions.Add(Describe(properties));
            }
        }
        catch (Exception ex) when (Translate(ex, "list of versions", cancellationToken) is { } failure)
        {
            throw failure;
        }

        return new KeyVaultVersionTree(versions);
    }

    private async ValueTask<bool> WriteAsync(
        OpenAIKeyRotationState expected,
        string? newValue,
        OpenAIKeyRecord? current,
        OpenAIKeyRotationPending? pending,
        (string? Version, OpenAIKeyRecord? Record, DateTimeOffset? SupersededAt) previous,
        string change,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(expected.Version, nameof(expected));
        var (effective, _) = await ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (effective.Id != expected.Version)
        {
            Log.RotationWriteLost(_logger, Name, change, expected.Version);
            return false;
        }

        var value = newValue ?? await ValueOfAsync(expected.Version, cancellationToken).ConfigureAwait(false);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        KeyVaultRotationTags.SetCurrent(tags, current);
        KeyVaultRotationTags.SetPending(tags, pending);
        if (previous.Record is not null && previous.Version is null)
        {
            previous.Version = KeyVaultRotationTags.ReadPrevious(Tags(effective)).Version;
        }

        KeyVaultRotationTags.SetPrevious(tags, previous.Version, previous.Record, previous.SupersededAt);
        tags[KeyVaultRotationTags.Based] = expected.Version;

        var written = await SetAsync(value, tags, current?.ExpiresAt ?? effective.ExpiresOn, change, cancellationToken).ConfigureAwait(false);
        var tree = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (tree.Won(expected.Version, written.Version))
        {
            Log.RotationWritten(_logger, Name, change, written.Version);
            return true;
        }

        // Lost to another rotator's write based on the same version: withdraw this one, and cover a lost promotion
        // with the winner's key, so that readers of the latest version never get a key that is not current.
        Log.RotationWriteLost(_logger, Name, change, expected.Version);
        written.Tags[KeyVaultRotationTags.Withdrawn] = "true";
        await CallAsync("withdrawal", () => _client.UpdateSecretPropertiesAsync(written, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (newValue is not null)
        {
            var winner = tree.Effective(tree.Find(written.Version)!);
            var copy = new Dictionary<string, string>(winner.Tags, StringComparer.Ordinal) { [KeyVaultRotationTags.CopyOf] = winner.Id };
            await SetAsync(await ValueOfAsync(winner.Id, cancellationToken).ConfigureAwait(false), copy, winner.ExpiresOn, "copy", cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private async Task<SecretProperties> SetAsync(string value, Dictionary<string, string> tags, DateTimeOffset? expiresOn, string change, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(_secretName, value);
        secret.Properties.ExpiresOn = expiresOn;
        foreach (var (name, text) in tags)
        {
            secret.Properties.Tags[name] = text;
        }

        var written = await CallAsync(change + " write", () => _client.SetSecretAsync(secret, cancellationToken), cancellationToken).ConfigureAwait(false);
        Remember(written.Properties.Version, value);
        return written.Properties;
    }

    /// <summary>Disables the versions that held the revoked key: the replaced version and those it was based on.</summary>
    private async Task DisableReplacedAsync(string replacedVersion, CancellationToken cancellationToken)
    {
        var tree = await ListAsync(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var version = tree.Find(replacedVersion); version is not null && seen.Add(version.Id); version = version.Based is { } based ? tree.Find(based) : null)
        {
            if (!version.Enabled)
            {
                continue;
            }

            try
            {
                var properties = new SecretProperties(new Uri(_client.VaultUri, $"secrets/{_secretName}/{version.Id}")) { Enabled = false };
                foreach (var (name, text) in version.Tags)
                {
                    properties.Tags[name] = text;
                }

                await _client.UpdateSecretPropertiesAsync(properties, cancellationToken).ConfigureAwait(false);
                Log.RotationVersionDisabled(_logger, Name, version.Id);
            }
            catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException)
            {
                // The key is revoked at OpenAI already: a version left enabled holds a dead key.
                Log.RotationVersionNotDisabled(_logger, Name, version.Id, ex is RequestFailedException failed ? KeyVaultError.From(failed, _time.GetUtcNow()).Describe() : ex.GetType().Name);
                return;
            }
        }
    }

    private async Task<string> ValueOfAsync(string version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_last is { } last && last.Version == version)
            {
                return last.Value;
            }
        }

        var secret = await CallAsync("read", () => _client.GetSecretAsync(_secretName, version, cancellationToken), cancellationToken).ConfigureAwait(false);
        Remember(version, secret.Value);
        return secret.Value;
    }

    private void Remember(string version, string value)
    {
        lock (_gate)
        {
            _last = (version, value);
        }
    }

    private static KeyVaultVersion Describe(SecretProperties properties)
        => new(properties.Version, properties.CreatedOn, properties.ExpiresOn, properties.Enabled != false, new Dictionary<string, string>(properties.Tags, StringComparer.Ordinal));

    private static Dictionary<string, string> Tags(KeyVaultVersion version) => new(version.Tags, StringComparer.Ordinal);

    private async Task<T> CallAsync<T>(string operation, Func<Task<Response<T>>> call, CancellationToken cancellationToken)
    {
        try
        {
            return (await call().ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (Translate(ex, operation, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <remarks>The SDK's exception is not kept as the inner exception: its message holds the answer's raw body.</remarks>
    private OpenAIKeySourceException? Translate(Exception exception, string operation, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested && exception is OperationCanceledException)
        {
            return null;
        }

        var cause = exception is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[^1] : exception;
        var what = $"the rotation's {operation} of the secret '{_secretName}' in Azure Key Vault {_client.VaultUri}";
        switch (cause)
        {
            case AuthenticationFailedException:
                return new OpenAIKeySourceException(Name, $"{_credentialName} could not get a token for {what} ({cause.GetType().Name}). Check the credential's settings.", isTransient: cause is not CredentialUnavailableException);
            case RequestFailedException { Status: 404 } when operation == "read":
                return new OpenAIKeySourceException(
                    Name,
                    $"Azure Key Vault {_client.VaultUri} has no secret '{_secretName}', so there is no key to rotate. Put the application's first key in it (keyvaulting set --store <source name>, which reads it from standard input, or az keyvault secret set --vault-name <vault> --name {_secretName} --file <file>: never on the command line, where shell history keeps it); rotation takes over from there.",
                    isTransient: false);
            case RequestFailedException failed:
                var error = KeyVaultError.From(failed, _time.GetUtcNow());
                var status = error.Describe();
                return failed.Status switch
                {
                    0 or 408 or 429 or >= 500 => new OpenAIKeySourceException(Name, $"{Sentences.Capitalize(what)} failed ({status}); this is usually temporary and the next run tries again.", isTransient: true, error.RetryAfter),
                    401 or 403 => new OpenAIKeySourceException(Name, $"Azure Key Vault denied {what} for the identity of {_credentialName} ({status}). {PermissionHint}", isTransient: false),
                    _ => new OpenAIKeySourceException(Name, $"Azure Key Vault refused {what} ({status}).", isTransient: false),
                };
            case OperationCanceledException or IOException:
                return new OpenAIKeySourceException(Name, $"{Sentences.Capitalize(what)} did not complete ({cause.GetType().Name}); the next run tries again.", isTransient: true);
            case System.Text.Json.JsonException:
                return new OpenAIKeySourceException(Name, $"The answer to {what} is not Key Vault's JSON. Check VaultUri and any proxy between this application and Azure.", isTransient: false);
            default:
                return null;
        }
    }
}
