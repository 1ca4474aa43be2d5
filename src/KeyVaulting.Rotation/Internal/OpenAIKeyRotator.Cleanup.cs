using KeyVaulting.Rotation.Diagnostics;
using KeyVaulting.Rotation.Internal.Admin;

namespace KeyVaulting.Rotation.Internal;

internal sealed partial class OpenAIKeyRotator
{
    /// <summary>
    /// Revokes the keys (and service accounts) this rotator minted that the store no longer knows and that are older
    /// than their lifetime: keys of a run that died between minting and staging, or of a store that was reset.
    /// Runs at most once per <see cref="OrphanSweepInterval"/>.
    /// </summary>
    private async Task SweepOrphansAsync(OpenAIKeyRotationState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_lastSweepAt is { } last && now - last < OrphanSweepInterval)
        {
            return;
        }

        var lifetime = KeyLifetime;
        await RevokeOrphansAsync(state, k => now - k.CreatedAt > lifetime, "older than the keys' lifetime", cancellationToken).ConfigureAwait(false);
        _lastSweepAt = now;
    }

    /// <summary>Revokes the keys minted for one rotation that the store does not hold (a run died after minting).</summary>
    private Task RevokeOrphansOfRotationAsync(OpenAIKeyRotationState state, string rotationId, CancellationToken cancellationToken)
    {
        var suffix = "-" + RotationIds.Short(rotationId);
        return RevokeOrphansAsync(
            state,
            k => k.Name.EndsWith(suffix, StringComparison.Ordinal) || (k.ServiceAccountName?.EndsWith(suffix, StringComparison.Ordinal) ?? false),
            "minted by an interrupted run of the same rotation",
            cancellationToken);
    }

    private async Task RevokeOrphansAsync(OpenAIKeyRotationState state, Func<ProjectApiKeyInfo, bool> select, string reason, CancellationToken cancellationToken)
    {
        var keys = await StepAsync("cleanup", () => _admin.ListApiKeysAsync(_options.ProjectId!, cancellationToken)).ConfigureAwait(false);
        var knownKeys = new HashSet<string?>(StringComparer.Ordinal) { state.Current?.KeyId, state.Pending?.Record?.KeyId, state.Previous?.KeyId };
        var knownAccounts = new HashSet<string?>(StringComparer.Ordinal) { state.Current?.ServiceAccountId, state.Pending?.Record?.ServiceAccountId, state.Previous?.ServiceAccountId };
        var deletedAccounts = new HashSet<string>(StringComparer.Ordinal);

        foreach (var key in keys)
        {
            var ownAccount = key.ServiceAccountName?.StartsWith(_namePrefix, StringComparison.Ordinal) ?? false;
            var minted = ownAccount || key.Name.StartsWith(_namePrefix, StringComparison.Ordinal);
            if (!minted || knownKeys.Contains(key.Id) || key.OwnerType is not (null or "service_account") || !select(key))
            {
                continue;
            }

            if (ownAccount && key.ServiceAccountId is { } account && !knownAccounts.Contains(account))
            {
                if (deletedAccounts.Add(account))
                {
                    Log.OrphanFound(_logger, DisplayName, key.Id, key.Name, reason);
                    await DeleteAccountAsync(account, key.Id, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            Log.OrphanFound(_logger, DisplayName, key.Id, key.Name, reason);
            var outcome = await StepAsync("cleanup", () => _admin.DeleteApiKeyAsync(_options.ProjectId!, key.Id, cancellationToken)).ConfigureAwait(false);
            if (outcome == DeleteOutcome.Refused)
            {
                Log.RevokeRefused(_logger, DisplayName, key.Id, KeyLifetime);
            }
            else
            {
                Log.Revoked(_logger, DisplayName, key.Id, outcome == DeleteOutcome.NotFound);
            }
        }
    }
}
