namespace KeyVaulting.Rotation.Tests.Infrastructure;

/// <summary>Waits, on the wall clock and at most 20 seconds, for something another thread does (a background read, a request reaching a server).</summary>
internal static class Eventually
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, string because)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > Deadline)
            {
                throw new TimeoutException($"Timed out after {Deadline.TotalSeconds} s: {because}.");
            }

            await Task.Delay(1);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string because) => TrueAsync(() => Task.FromResult(condition()), because);
}
