using System.Collections.Concurrent;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>The system clock, recording the due time of every timer created on it (<c>Task.Delay</c> creates one).</summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _timers = new();

    public IReadOnlyCollection<TimeSpan> TimerDueTimes => _timers;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Enqueue(dueTime);
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
