namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>Waits for something another thread does (a background read, a request reaching a server).</summary>
internal static class Eventually
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static async Task TrueAsync(Func<bool> condition, string because)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > Deadline)
            {
                throw new TimeoutException($"Timed out after {Deadline.TotalSeconds} s: {because}.");
            }

            await Task.Delay(1);
        }
    }
}
