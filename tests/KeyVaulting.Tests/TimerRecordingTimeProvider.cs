using Microsoft.Extensions.Time.Testing;

namespace KeyVaulting.Tests;

/// <summary>
/// Fake time that records every timer created on it (<c>Task.Delay</c> and a <see cref="CancellationTokenSource"/>
/// with a delay create one): its due time, and whether it was disposed.
/// </summary>
internal sealed class TimerRecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly List<RecordedTimer> _created = [];

    public TimerRecordingTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Gets the timers created so far, in order.</summary>
    public IReadOnlyList<RecordedTimer> Created
    {
        get
        {
            lock (_created)
            {
                return [.. _created];
            }
        }
    }

    /// <summary>Gets the due times of the timers created so far that were started (not created stopped).</summary>
    public IReadOnlyList<TimeSpan> TimerDueTimes => [.. Created.Where(t => t.DueTime != Timeout.InfiniteTimeSpan).Select(t => t.DueTime)];

    /// <summary>Forgets the timers created so far.</summary>
    public void ClearTimers()
    {
        lock (_created)
        {
            _created.Clear();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new RecordedTimer(base.CreateTimer(callback, state, dueTime, period), dueTime);
        lock (_created)
        {
            _created.Add(timer);
        }

        return timer;
    }

    /// <summary>A timer of the clock, as created: its due time, and whether it was disposed since.</summary>
    internal sealed class RecordedTimer(ITimer inner, TimeSpan dueTime) : ITimer
    {
        private volatile bool _disposed;

        public TimeSpan DueTime { get; } = dueTime;

        public bool IsDisposed => _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            _disposed = true;
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return inner.DisposeAsync();
        }
    }
}
