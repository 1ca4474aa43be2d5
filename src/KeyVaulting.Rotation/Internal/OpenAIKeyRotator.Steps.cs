using System.Globalization;
using KeyVaulting.Rotation.Diagnostics;
using KeyVaulting.Rotation.Internal.Admin;

namespace KeyVaulting.Rotation.Internal;

internal sealed partial class OpenAIKeyRotator
{
    /// <summary>
    /// Create and stage: mints a key for the claimed rotation and writes it to the store as the staged key. A key
    /// minted in vain (the store changed meanwhile, or failed) is revoked at once.
    /// </summary>
    private async Task CreateAndStageAsync(OpenAIKeyRotationState state, OpenAIKeyRotationPending claim, bool sweepRotation, CancellationToken cancellationToken)
    {
        if (sweepRotation)
        {
            // The claim comes from an earlier run that may have minted a key and died before staging it.
            await RevokeOrphansOfRotationAsync(state, claim.RotationId, cancellationToken).ConfigureAwait(false);
        }

        var name = RotationIds.KeyName(_namePrefix, claim.StartedAt, claim.RotationId);
        var newAccount = MintsIntoNewServiceAccount(state);
        var lifetime = (long)Math.Ceiling(KeyLifetime.TotalSeconds);
        var minted = await StepAsync("create", () => newAccount
            ? _admin.CreateServiceAccountAsync(_options.ProjectId!, name, lifetime, cancellationToken)
            : _admin.CreateServiceAccountKeyAsync(_options.ProjectId!, _options.ServiceAccountId!, name, lifetime, [.. _options.Scopes], cancellationToken)).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        var record = new OpenAIKeyRecord
        {
            KeyId = minted.Record.KeyId,
            ServiceAccountId = minted.Record.ServiceAccountId,
            CreatedAt = minted.Record.CreatedAt ?? now,
            ExpiresAt = minted.Record.ExpiresAt,
            ServiceAccountCreatedForKey = newAccount,
        };
        var key = new OpenAIKey(minted.Value, _target.Name, version: null, retrievedAt: now, expiresAt: record.ExpiresAt);
        Log.Minted(_logger, DisplayName, key.Fingerprint, record.KeyId, record.ServiceAccountId, name);

        var staged = new OpenAIKeyRotationPending
        {
            RotationId = claim.RotationId,
            StartedAt = claim.StartedAt,
            ClaimedBy = InstanceId,
            Key = key,
            Record = record,
        };

        // A store failure here leaves the claim: the next run finds the key either staged (and carries on) or not
        // (and revokes it as an orphan of this rotation), whichever the store did before it failed.
        var written = await StepAsync("stage", () => _target.TryStageAsync(state, staged, cancellationToken).AsTask()).ConfigureAwait(false);
        if (!written)
        {
            Log.LostRace(_logger, DisplayName, "stage");
            await RevokeBestEffortAsync(record, "another rotator changed the store first", cancellationToken).ConfigureAwait(false);
            return;
        }

        _ownStaged = staged;
        Log.Staged(_logger, DisplayName, key.Fingerprint, record.KeyId, _target.Name);
    }

    /// <summary>Test: OpenAI must accept the staged key; when it rejects it, the rotation is rolled back and the current key left alone.</summary>
    private async Task TestOrRollBackAsync(OpenAIKeyRotationState state, OpenAIKeyRotationPending pending, OpenAIKey key, CancellationToken cancellationToken)
    {
        var rejection = await StepAsync("test", () => _probe.TestAsync(key, cancellationToken)).ConfigureAwait(false);
        if (rejection is not { } rejected)
        {
            Log.Tested(_logger, DisplayName, key.Fingerprint);
            return;
        }

        await AbandonAsync(state, pending, string.Create(CultureInfo.InvariantCulture, $"OpenAI rejected it with HTTP {rejected.Status} ({rejected.Error.Describe()})"), cancellationToken).ConfigureAwait(false);
        throw new OpenAIKeyRotationException(
            "test",
            string.Create(CultureInfo.InvariantCulture, $"OpenAI rejected the new key {key.Fingerprint} ({pending.Record?.KeyId}) with HTTP {rejected.Status} ({rejected.Error.Describe()}) when tested with GET models at {_options.Endpoint}. The rotation was rolled back: the staged key was removed and revoked, the current key is untouched. Check that Endpoint is the API the keys belong to, and the service account's permissions (it needs to list models)."),
            isTransient: false,
            statusCode: rejected.Status,
            errorType: rejected.Error.Type,
            errorCode: rejected.Error.Code);
    }

    /// <summary>Promote: the staged key becomes current; this instance's own provider is refreshed at once. Returns the promoted pending entry, with its key.</summary>
    private async Task<OpenAIKeyRotationPending?> PromoteAsync(OpenAIKeyRotationState state, OpenAIKeyRotationPending pending, OpenAIKey key, CancellationToken cancellationToken)
    {
        var withKey = pending.Key is null
            ? new OpenAIKeyRotationPending { RotationId = pending.RotationId, StartedAt = pending.StartedAt, ClaimedBy = pending.ClaimedBy, Key = key, Record = pending.Record }
            : pending;
        var promotedAt = _time.GetUtcNow();
        if (!await StepAsync("promote", () => _target.TryPromoteAsync(state, withKey, promotedAt, cancellationToken).AsTask()).ConfigureAwait(false))
        {
            Log.LostRace(_logger, DisplayName, "promote");
            return null;
        }

        _ownStaged = null;
        _metrics.RecordRotation(DisplayName, _target.Name, "promoted");
        Log.Promoted(_logger, DisplayName, key.Fingerprint, pending.Record?.KeyId, _target.Name, promotedAt + _options.GracePeriod);

        if (_consumer is not null)
        {
            await _consumer.RefreshAsync(DisplayName, _logger, cancellationToken).ConfigureAwait(false);
        }

        return withKey;
    }

    /// <summary>
    /// Before the key replaced in this run is revoked: waits (bounded) until this application's own provider serves
    /// the promoted key, so that revoking the old one does not fail its requests.
    /// </summary>
    private async Task WaitForConsumerAsync(OpenAIKey promoted, CancellationToken cancellationToken)
    {
        if (_consumer is not null && !await _consumer.WaitUntilServedAsync(promoted, DisplayName, _logger, cancellationToken).ConfigureAwait(false))
        {
            Log.ConsumerNotCaughtUp(_logger, DisplayName, promoted.Fingerprint, _consumer.CatchUpLimit);
        }
    }

    /// <summary>Removes a staged key that cannot be used (rejected, or its value lost) and revokes it.</summary>
    private async Task AbandonAsync(OpenAIKeyRotationState state, OpenAIKeyRotationPending pending, string reason, CancellationToken cancellationToken)
    {
        Log.Abandoned(_logger, DisplayName, pending.Record?.KeyId, reason);
        if (await StepAsync("rollback", () => _target.TryDiscardAsync(state, cancellationToken).AsTask()).ConfigureAwait(false))
        {
            _ownStaged = null;
            if (pending.Record is { } record)
            {
                await RevokeRecordAsync(state, record, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Revoke: deletes the replaced key, or its service account when the rotator created that account for it.
    /// Returns <see cref="DeleteOutcome.Refused"/> when OpenAI refuses to delete a service account's key on its own
    /// and the key's account is also the current key's: the caller then rotates into a new service account first.
    /// </summary>
    private async Task<DeleteOutcome> RevokePreviousAsync(OpenAIKeyRotationState state, OpenAIKeyRecord previous, CancellationToken cancellationToken)
    {
        if (previous.KeyId is null && previous.ServiceAccountId is null)
        {
            Log.PreviousKeyUnknown(_logger, DisplayName, _target.Name);
            return DeleteOutcome.NotFound;
        }

        if (previous.ServiceAccountCreatedForKey && previous.ServiceAccountId is { } own && !InUse(state, own))
        {
            await DeleteAccountAsync(own, previous.KeyId, cancellationToken).ConfigureAwait(false);
            return DeleteOutcome.Deleted;
        }

        if (previous.KeyId is not { } keyId)
        {
            Log.PreviousKeyUnknown(_logger, DisplayName, _target.Name);
            return DeleteOutcome.NotFound;
        }

        var outcome = await StepAsync("revoke", () => _admin.DeleteApiKeyAsync(_options.ProjectId!, keyId, cancellationToken)).ConfigureAwait(false);
        if (outcome != DeleteOutcome.Refused)
        {
            Log.Revoked(_logger, DisplayName, keyId, outcome == DeleteOutcome.NotFound);
            return outcome;
        }

        if (_options.Strategy == OpenAIKeyRotationStrategy.ServiceAccountKeys)
        {
            throw new OpenAIKeyRotationException(
                "revoke",
                $"OpenAI refused to delete key {keyId} on its own (HTTP 400): this API deletes a service account's keys only with the account. Set Strategy to Automatic or ServiceAccounts, so that keys are rotated by service account; key {keyId} stays valid until then (revoke it in the OpenAI dashboard if it leaked).",
                isTransient: false,
                statusCode: 400);
        }

        var account = previous.ServiceAccountId ?? await OwnerOfAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            throw new OpenAIKeyRotationException("revoke", $"OpenAI refused to delete key {keyId} on its own, and its service account is unknown; revoke it in the OpenAI dashboard.", isTransient: false, statusCode: 400);
        }

        if (!InUse(state, account))
        {
            // The old API: the key goes with its account, which no current or staged key uses any more.
            await DeleteAccountAsync(account, keyId, cancellationToken).ConfigureAwait(false);
            return DeleteOutcome.Deleted;
        }

        return DeleteOutcome.Refused;
    }

    /// <summary>Revokes a key recorded in the store that is neither current nor wanted: its own account, or the key alone.</summary>
    private async Task RevokeRecordAsync(OpenAIKeyRotationState state, OpenAIKeyRecord record, CancellationToken cancellationToken)
    {
        if (record.ServiceAccountCreatedForKey && record.ServiceAccountId is { } own && own != state.Current?.ServiceAccountId)
        {
            await DeleteAccountAsync(own, record.KeyId, cancellationToken).ConfigureAwait(false);
        }
        else if (record.KeyId is { } keyId)
        {
            var outcome = await StepAsync("revoke", () => _admin.DeleteApiKeyAsync(_options.ProjectId!, keyId, cancellationToken)).ConfigureAwait(false);
            if (outcome == DeleteOutcome.Refused)
            {
                Log.RevokeRefused(_logger, DisplayName, keyId, KeyLifetime);
            }
            else
            {
                Log.Revoked(_logger, DisplayName, keyId, outcome == DeleteOutcome.NotFound);
            }
        }
    }

    private async Task RevokeBestEffortAsync(OpenAIKeyRecord record, string reason, CancellationToken cancellationToken)
    {
        Log.RevokingUnusedKey(_logger, DisplayName, record.KeyId, reason);
        try
        {
            await RevokeRecordAsync(new OpenAIKeyRotationState(), record, cancellationToken).ConfigureAwait(false);
        }
        catch (OpenAIKeyRotationException ex)
        {
            // The orphan clean-up, or the key's lifetime, takes care of it.
            Log.RevokeFailed(_logger, DisplayName, record.KeyId, ex.Message);
        }
    }

    private async Task DeleteAccountAsync(string accountId, string? keyId, CancellationToken cancellationToken)
    {
        var outcome = await StepAsync("revoke", () => _admin.DeleteServiceAccountAsync(_options.ProjectId!, accountId, cancellationToken)).ConfigureAwait(false);
        Log.ServiceAccountDeleted(_logger, DisplayName, accountId, keyId, outcome == DeleteOutcome.NotFound);
    }

    private async Task<string?> OwnerOfAsync(string keyId, CancellationToken cancellationToken)
    {
        var keys = await StepAsync("cleanup", () => _admin.ListApiKeysAsync(_options.ProjectId!, cancellationToken)).ConfigureAwait(false);
        return keys.FirstOrDefault(k => k.Id == keyId)?.ServiceAccountId;
    }

    private static bool InUse(OpenAIKeyRotationState state, string accountId)
        => accountId == state.Current?.ServiceAccountId || accountId == state.Pending?.Record?.ServiceAccountId;

    /// <summary>Whether the next key is minted by creating a service account rather than a key for the configured one.</summary>
    private bool MintsIntoNewServiceAccount(OpenAIKeyRotationState state) => _options.Strategy switch
    {
        OpenAIKeyRotationStrategy.ServiceAccounts => true,
        OpenAIKeyRotationStrategy.ServiceAccountKeys => false,
        _ => _options.ServiceAccountId is null || _serviceAccountFallback || state.Current?.ServiceAccountCreatedForKey == true,
    };
}
