namespace KeyVaulting.Rotation;

/// <summary>What a rotator run did last.</summary>
public enum OpenAIKeyRotationOutcome
{
    /// <summary>Nothing was due; <see cref="OpenAIKeyRotationResult.NextRunAt"/> is when the next rotation is due.</summary>
    NotDue,

    /// <summary>A new key was minted, staged and tested, and is now current; the old one is revoked at <see cref="OpenAIKeyRotationResult.NextRunAt"/>.</summary>
    Promoted,

    /// <summary>A promoted key's grace period is running; the old key is revoked at <see cref="OpenAIKeyRotationResult.NextRunAt"/>.</summary>
    WaitingForGracePeriod,

    /// <summary>The old key was revoked and the rotation is complete (with <see cref="RevokeTiming.Immediately"/>, the whole rotation ran in the call).</summary>
    Completed,

    /// <summary>Another rotator is rotating this store; this one stood down and looks again at <see cref="OpenAIKeyRotationResult.NextRunAt"/>.</summary>
    StoodDown,

    /// <summary>A new key was minted and staged (the <c>createSecret</c> step).</summary>
    Staged,

    /// <summary>The staged key was tested against OpenAI (the <c>setSecret</c> and <c>testSecret</c> steps).</summary>
    Tested,
}
