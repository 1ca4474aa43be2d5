namespace KeyVaulting.Integrations.Tests.OpenTelemetry;

/// <summary>
/// OpenTelemetry's SDK listens to every <c>KeyVaulting</c> meter and activity source in the process: the tests that
/// collect it run alone, so that no other test's provider adds to what they count, and share one recorded run.
/// </summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryRunFixture>;

/// <summary>The <see cref="TelemetryRun"/> the collection's tests read.</summary>
public sealed class TelemetryRunFixture : IAsyncLifetime
{
    internal TelemetryRun Run { get; private set; } = null!;

    public async Task InitializeAsync() => Run = await TelemetryRun.RecordAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
