namespace KeyVaulting.Rotation.Internal;

/// <summary>What a caller asked of a rotator run.</summary>
internal readonly record struct RunRequest(RunKind Kind, RevokeTiming Timing)
{
    public static RunRequest Scheduled => new(RunKind.Scheduled, RevokeTiming.AfterGracePeriod);

    public static RunRequest Now(RevokeTiming timing) => new(RunKind.Forced, timing);
}

/// <summary>A scheduled run rotates when due; a forced run rotates whether or not.</summary>
internal enum RunKind
{
    Scheduled,
    Forced,
}
