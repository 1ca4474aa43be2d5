namespace KeyVaulting;

/// <summary>
/// The write side of a store, for automated rotation: it keeps the current key, a staged (pending) key that is not
/// yet current, and the record of the key it replaced, and changes them only when the store is still as it was read.
/// </summary>
/// <remarks>
/// <para>
/// The rotator (package <c>KeyVaulting.Rotation</c>) reads the state, decides the next step and asks the target to
/// make it with one of the <c>Try…</c> methods, passing the state it read. The target applies the change only if the
/// store still holds that state (Vault's check-and-set, a Secrets Manager <c>ClientRequestToken</c> with
/// <c>AWSPENDING</c>, a Key Vault version or tag checked after the write, a file lock), and returns
/// <see langword="false"/> otherwise: another rotator got there first, and the rotator reads again. That is how one
/// rotator among many instances of an application does each step.
/// </para>
/// <para>
/// Readers (<see cref="IOpenAIKeySource"/>) only ever see the current key: a staged key is never served until it is
/// promoted. A target throws <see cref="OpenAIKeySourceException"/> (with <see cref="Name"/> as the source name) when
/// the store fails, like the source of the same store; its messages never contain a key.
/// </para>
/// </remarks>
public interface IOpenAIKeyRotationTarget
{
    /// <summary>Gets the name of the target, for example <c>DotEnvFile:/app/.env:OPENAI_API_KEY</c>. Never a secret.</summary>
    string Name { get; }

    /// <summary>Reads what the store holds now: the current key's record, the staged key and the replaced key's record.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The state, with a <see cref="OpenAIKeyRotationState.Version"/> the <c>Try…</c> methods compare.</returns>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    ValueTask<OpenAIKeyRotationState> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="pending"/> as the store's staged key, replacing any staged one, without changing the
    /// current key. A pending without a key claims the rotation before a key is minted.
    /// </summary>
    /// <param name="expected">The state the rotator read; nothing is written unless the store still holds it.</param>
    /// <param name="pending">The staged key (or the claim) to write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when written; <see langword="false"/> when the store changed since <paramref name="expected"/> was read.</returns>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    ValueTask<bool> TryStageAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the staged key current: readers get it from now on. The key it replaces becomes
    /// <see cref="OpenAIKeyRotationState.Previous"/>, superseded at <paramref name="promotedAt"/>, and nothing is staged.
    /// </summary>
    /// <param name="expected">The state the rotator read; nothing is written unless the store still holds it.</param>
    /// <param name="pending">The staged key, with its value (<see cref="OpenAIKeyRotationPending.Key"/> is set).</param>
    /// <param name="promotedAt">When the key became current: the grace period before the old key is revoked starts here.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when written; <see langword="false"/> when the store changed since <paramref name="expected"/> was read.</returns>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    ValueTask<bool> TryPromoteAsync(OpenAIKeyRotationState expected, OpenAIKeyRotationPending pending, DateTimeOffset promotedAt, CancellationToken cancellationToken);

    /// <summary>Removes the staged key (a rotation rolled back or abandoned); the current key is left as it is.</summary>
    /// <param name="expected">The state the rotator read; nothing is written unless the store still holds it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when written; <see langword="false"/> when the store changed since <paramref name="expected"/> was read.</returns>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    ValueTask<bool> TryDiscardAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the replaced key once it has been revoked at OpenAI; a store with versions may disable or delete the
    /// old ones here.
    /// </summary>
    /// <param name="expected">The state the rotator read; nothing is written unless the store still holds it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when written; <see langword="false"/> when the store changed since <paramref name="expected"/> was read.</returns>
    /// <exception cref="OpenAIKeySourceException">The store failed.</exception>
    ValueTask<bool> TryCompleteAsync(OpenAIKeyRotationState expected, CancellationToken cancellationToken);
}
