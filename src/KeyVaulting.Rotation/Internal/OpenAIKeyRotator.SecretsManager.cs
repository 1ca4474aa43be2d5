using System.Globalization;
using KeyVaulting.Rotation.Diagnostics;
using KeyVaulting.Rotation.Internal.Admin;

namespace KeyVaulting.Rotation.Internal;

internal sealed partial class OpenAIKeyRotator
{
    public const string CreateSecretStep = "createSecret";
    public const string SetSecretStep = "setSecret";
    public const string TestSecretStep = "testSecret";
    public const string FinishSecretStep = "finishSecret";

    public Task<OpenAIKeyRotationResult> RunSecretsManagerStepAsync(string step, string clientRequestToken, CancellationToken cancellationToken = default)
    {
        Throw.IfNullOrWhiteSpace(step);
        Throw.IfNullOrWhiteSpace(clientRequestToken);
        Func<CancellationToken, Task<OpenAIKeyRotationResult>> run = step switch
        {
            CreateSecretStep => ct => CreateSecretAsync(clientRequestToken, ct),
            SetSecretStep => ct => SetSecretAsync(clientRequestToken, ct),
            TestSecretStep => ct => TestSecretAsync(clientRequestToken, ct),
            FinishSecretStep => ct => FinishSecretAsync(clientRequestToken, ct),
            _ => throw new ArgumentException($"Unknown rotation step; an AWS Secrets Manager rotation event's Step is {CreateSecretStep}, {SetSecretStep}, {TestSecretStep} or {FinishSecretStep}.", nameof(step)),
        };
        return ExecuteAsync(step, run, cancellationToken);
    }

    /// <summary>createSecret: finishes the last rotation's revocation, then claims, mints and stages under the token.</summary>
    private async Task<OpenAIKeyRotationResult> CreateSecretAsync(string token, CancellationToken cancellationToken)
    {
        for (var read = 0; read < MaxReads; read++)
        {
            var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            if (state.Pending is { } pending)
            {
                if (pending.RotationId != token)
                {
                    // A rotation with another token was abandoned (Secrets Manager runs one rotation at a time).
                    if (pending.Record is null)
                    {
                        await StepAsync("rollback", () => _target.TryDiscardAsync(state, cancellationToken).AsTask()).ConfigureAwait(false);
                    }
                    else
                    {
                        await AbandonAsync(state, pending, "a rotation with another ClientRequestToken left it", cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                if (pending.Record is not null)
                {
                    return Result(OpenAIKeyRotationOutcome.Staged, null, state, pending);
                }

                await CreateAndStageAsync(state, pending, sweepRotation: true, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (state.Previous is { } previous && !_serviceAccountFallback)
            {
                var graceEnds = (state.PreviousSupersededAt ?? now) + _options.GracePeriod;
                if (now < graceEnds)
                {
                    throw new OpenAIKeyRotationException(
                        "revoke",
                        string.Create(CultureInfo.InvariantCulture, $"The key the last rotation replaced ({previous.KeyId ?? "id unknown"}) is in its grace period until {graceEnds:O}; rotate again after that (the rotation schedule is much longer than GracePeriod)."),
                        isTransient: true);
                }

                var outcome = await RevokePreviousAsync(state, previous, cancellationToken).ConfigureAwait(false);
                if (outcome == DeleteOutcome.Refused)
                {
                    // Rotate into a new service account; the next rotation deletes the old one.
                    _serviceAccountFallback = true;
                    Log.ServiceAccountFallback(_logger, DisplayName, previous.KeyId);
                }
                else
                {
                    await StepAsync("complete", () => _target.TryCompleteAsync(state, cancellationToken).AsTask()).ConfigureAwait(false);
                    continue;
                }
            }

            var claim = new OpenAIKeyRotationPending { RotationId = token, StartedAt = now, ClaimedBy = InstanceId };
            await StepAsync("claim", () => _target.TryStageAsync(state, claim, cancellationToken).AsTask()).ConfigureAwait(false);
        }

        throw StoreKeptChanging(CreateSecretStep);
    }

    /// <summary>setSecret: OpenAI knows the key from the moment it is minted; only checks that it is staged.</summary>
    private async Task<OpenAIKeyRotationResult> SetSecretAsync(string token, CancellationToken cancellationToken)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var pending = RequireStaged(state, token, SetSecretStep);
        return Result(OpenAIKeyRotationOutcome.Staged, null, state, pending);
    }

    /// <summary>testSecret: tests the staged key, and rolls back when OpenAI rejects it.</summary>
    private async Task<OpenAIKeyRotationResult> TestSecretAsync(string token, CancellationToken cancellationToken)
    {
        var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var pending = RequireStaged(state, token, TestSecretStep);
        var key = StagedKey(pending);
        if (key is null)
        {
            await AbandonAsync(state, pending, "its value was not kept by the store", cancellationToken).ConfigureAwait(false);
            throw new OpenAIKeyRotationException("test", $"The staged key of rotation {token} has no value in {_target.Name}; it was revoked. Run createSecret again.", isTransient: false);
        }

        await TestOrRollBackAsync(state, pending, key, cancellationToken).ConfigureAwait(false);
        return Result(OpenAIKeyRotationOutcome.Tested, null, state, pending);
    }

    /// <summary>finishSecret: promotes the staged key; nothing to do when the rotation is already finished.</summary>
    private async Task<OpenAIKeyRotationResult> FinishSecretAsync(string token, CancellationToken cancellationToken)
    {
        for (var read = 0; read < MaxReads; read++)
        {
            var state = await ReadAsync(cancellationToken).ConfigureAwait(false);
            if (state.Pending is not { } pending || pending.RotationId != token)
            {
                // Already promoted (finishSecret is retried by Secrets Manager), or never staged.
                return Result(OpenAIKeyRotationOutcome.NotDue, DueAt(state, _time.GetUtcNow()), state);
            }

            var key = StagedKey(pending) ?? throw new OpenAIKeyRotationException("promote", $"The staged key of rotation {token} has no value in {_target.Name}; run createSecret again.", isTransient: false);
            if (await PromoteAsync(state, pending, key, cancellationToken).ConfigureAwait(false) is { } promoted)
            {
                return Result(OpenAIKeyRotationOutcome.Promoted, _time.GetUtcNow() + _options.GracePeriod, state, promoted);
            }
        }

        throw StoreKeptChanging(FinishSecretStep);
    }

    private OpenAIKeyRotationPending RequireStaged(OpenAIKeyRotationState state, string token, string step)
        => state.Pending is { Record: not null } pending && pending.RotationId == token
            ? pending
            : throw new OpenAIKeyRotationException(step, $"No key is staged in {_target.Name} for rotation {token}; run createSecret first.", isTransient: false);

    private OpenAIKeyRotationException StoreKeptChanging(string step)
        => new(step, string.Create(CultureInfo.InvariantCulture, $"The store {_target.Name} changed under every write of rotation '{DisplayName}' ({MaxReads} reads); the step can be retried."), isTransient: true);
}
