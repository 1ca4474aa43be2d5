namespace KeyVaulting.Rotation.Tests.Infrastructure;

/// <summary>
/// A rotator whose every call fails after 30 seconds of wall-clock time, so that a stuck test (a call on fake time
/// that nobody advances) fails with its name instead of hanging.
/// </summary>
internal sealed class BoundedRotator(IOpenAIKeyRotator inner) : IOpenAIKeyRotator
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public string Name => inner.Name;

    public Task<OpenAIKeyRotationResult> RunAsync(CancellationToken cancellationToken = default)
        => inner.RunAsync(cancellationToken).WaitAsync(Bound, cancellationToken);

    public Task<OpenAIKeyRotationResult> RotateNowAsync(RevokeTiming revokeOldKey = RevokeTiming.AfterGracePeriod, CancellationToken cancellationToken = default)
        => inner.RotateNowAsync(revokeOldKey, cancellationToken).WaitAsync(Bound, cancellationToken);

    public Task<OpenAIKeyRotationResult> RunSecretsManagerStepAsync(string step, string clientRequestToken, CancellationToken cancellationToken = default)
        => inner.RunSecretsManagerStepAsync(step, clientRequestToken, cancellationToken).WaitAsync(Bound, cancellationToken);
}
