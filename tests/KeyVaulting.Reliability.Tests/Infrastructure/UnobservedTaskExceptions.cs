namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Records task exceptions that nobody observed and that come from KeyVaulting (a faulted background read would be
/// one). The event is process-wide: a record here is a defect wherever it came from.
/// </summary>
internal sealed class UnobservedTaskExceptions : IDisposable
{
    private readonly List<Exception> _seen = [];

    public UnobservedTaskExceptions() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    /// <summary>Collects garbage (which raises the event for abandoned faulted tasks) and asserts that none was seen.</summary>
    public void ShouldBeNone()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        lock (_seen)
        {
            _seen.Should().BeEmpty("every task KeyVaulting starts is observed, even when it fails with nobody waiting");
        }
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        if (e.Exception.ToString().Contains("KeyVaulting", StringComparison.Ordinal))
        {
            lock (_seen)
            {
                _seen.Add(e.Exception);
            }
        }
    }
}
