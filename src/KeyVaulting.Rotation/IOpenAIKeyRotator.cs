namespace KeyVaulting.Rotation;

/// <summary>
/// Rotates the OpenAI key of one store: mints the next key with the OpenAI Admin API, stages it in the store, tests
/// it, promotes it, and revokes the old key after the grace period. Registered with
/// <c>services.AddOpenAIKeyRotation(...)</c>; the named ones are keyed services.
/// </summary>
/// <remarks>
/// Every method reads the store first and carries on from where any rotator stopped, so a run after a crash at any
/// step converges: exactly one current key, the others minted by the rotator revoked. Among many instances, the
/// store's conditional write decides which one rotates; the others stand down.
/// </remarks>
public interface IOpenAIKeyRotator
{
    /// <summary>Gets the rotation's name; empty for the default rotation.</summary>
    string Name { get; }

    /// <summary>
    /// Does whatever is due: finishes an interrupted rotation, revokes an old key whose grace period is over, rotates
    /// when the current key is older than the interval, and revokes forgotten keys the rotator minted. The hosted
    /// service calls this on its schedule.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run between two calls; a step in flight is finished by the next run.</param>
    /// <returns>What the run did and when the next thing is due.</returns>
    /// <exception cref="OpenAIKeyRotationException">A step failed; the message names it and the fix.</exception>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    Task<OpenAIKeyRotationResult> RunAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rotates now, whether or not the rotation is due: mints, stages, tests and promotes a new key, and revokes the
    /// old one after the grace period or, for a leaked key, at once.
    /// </summary>
    /// <param name="revokeOldKey">When the old key is revoked; <see cref="RevokeTiming.Immediately"/> for a leak.</param>
    /// <param name="cancellationToken">Cancels the run between two calls.</param>
    /// <returns><see cref="OpenAIKeyRotationOutcome.Promoted"/>, or <see cref="OpenAIKeyRotationOutcome.Completed"/> with <see cref="RevokeTiming.Immediately"/>.</returns>
    /// <exception cref="OpenAIKeyRotationException">A step failed; the message names it and the fix.</exception>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    /// <exception cref="InvalidOperationException">
    /// The previous rotation's old key is still in its grace period and <paramref name="revokeOldKey"/> is
    /// <see cref="RevokeTiming.AfterGracePeriod"/>.
    /// </exception>
    Task<OpenAIKeyRotationResult> RotateNowAsync(RevokeTiming revokeOldKey = RevokeTiming.AfterGracePeriod, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one step of an AWS Secrets Manager rotation function: <c>createSecret</c> mints and stages the key,
    /// <c>setSecret</c> has nothing to do (OpenAI knows the key from the moment it is minted), <c>testSecret</c>
    /// tests it (and rolls back when OpenAI rejects it), <c>finishSecret</c> promotes it. The old key is revoked by a
    /// later run once its grace period is over, and in any case expires with its lifetime.
    /// </summary>
    /// <param name="step">The event's <c>Step</c>: <c>createSecret</c>, <c>setSecret</c>, <c>testSecret</c> or <c>finishSecret</c>.</param>
    /// <param name="clientRequestToken">The event's <c>ClientRequestToken</c>: the rotation's id.</param>
    /// <param name="cancellationToken">Cancels the step.</param>
    /// <returns>What the step did.</returns>
    /// <exception cref="ArgumentException"><paramref name="step"/> is not one of the four steps.</exception>
    /// <exception cref="OpenAIKeyRotationException">The step failed; the message names it and the fix.</exception>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    Task<OpenAIKeyRotationResult> RunSecretsManagerStepAsync(string step, string clientRequestToken, CancellationToken cancellationToken = default);
}
