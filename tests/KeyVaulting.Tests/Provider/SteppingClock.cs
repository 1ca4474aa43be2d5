using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests.Provider;

/// <summary>
/// A clock whose wall time can be stepped back or forward (an NTP correction, a VM restored from a snapshot, an
/// administrator) while its monotonic time and timers keep going forward. <see cref="FakeTimeProvider"/> alone cannot
/// do this: it refuses to go back, and its timestamp follows its wall time.
/// </summary>
internal sealed class SteppingClock : TimeProvider
{
    private TimeSpan _wallOffset;

    public FakeTimeProvider Monotonic { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => Monotonic.TimestampFrequency;

    /// <summary>Moves the wall clock only: timers and timestamps do not see it.</summary>
    public void StepWallClock(TimeSpan by) => _wallOffset += by;

    /// <summary>Lets time pass: both clocks move and due timers fire.</summary>
    public void Advance(TimeSpan by) => Monotonic.Advance(by);

    public override DateTimeOffset GetUtcNow() => Monotonic.GetUtcNow() + _wallOffset;

    public override long GetTimestamp() => Monotonic.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => Monotonic.CreateTimer(callback, state, dueTime, period);
}
