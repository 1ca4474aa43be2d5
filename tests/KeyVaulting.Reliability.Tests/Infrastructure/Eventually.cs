namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>Waits for something another thread does (a background read, a request reaching a server).</summary>
internal static class Eventually
{
    // Generous: a loaded CI machine can take long to put 10,000 requests in flight; a met condition returns at once.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

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
