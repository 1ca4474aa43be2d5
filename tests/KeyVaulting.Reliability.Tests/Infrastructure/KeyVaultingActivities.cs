using System.Collections.Concurrent;
using System.Diagnostics;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Every activity of the <c>KeyVaulting</c> activity source, captured by one process-wide listener. Tests running in
/// parallel share it, so each test looks only at the activities of its own (uniquely named) source.
/// </summary>
internal static class KeyVaultingActivities
{
    public const string SourceTag = "keyvaulting.source";

    private static readonly ConcurrentQueue<Activity> Stopped = new();

    private static readonly ActivityListener Listener = Start();

    /// <summary>Gets the stopped activities whose <c>keyvaulting.source</c> tag is <paramref name="sourceName"/>.</summary>
    public static IReadOnlyList<Activity> Of(string sourceName)
    {
        GC.KeepAlive(Listener);
        return [.. Stopped.Where(a => (a.GetTagItem(SourceTag) as string) == sourceName)];
    }

    /// <summary>Starts listening; call before the first activity of a test can start.</summary>
    public static void EnsureListening() => GC.KeepAlive(Listener);

    /// <summary>Gets every text an activity carries: names, status, tags, events and baggage.</summary>
    public static IEnumerable<string?> Texts(Activity activity)
    {
        yield return activity.OperationName;
        yield return activity.DisplayName;
        yield return activity.StatusDescription;
        foreach (var (name, value) in activity.TagObjects)
        {
            yield return name;
            yield return value?.ToString();
        }

        foreach (var e in activity.Events)
        {
            yield return e.Name;
            foreach (var (name, value) in e.Tags)
            {
                yield return name;
                yield return value?.ToString();
            }
        }

        foreach (var (name, value) in activity.Baggage)
        {
            yield return name;
            yield return value;
        }
    }

    private static ActivityListener Start()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "KeyVaulting",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
