namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Tests that listen to process-wide diagnostics (event listeners, AWSSDK.Core's logging settings): they run alone,
/// after the parallel tests, so that no other test's requests reach their listeners and their settings reach no other test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SdkDiagnosticsCollection
{
    public const string Name = "SDK diagnostics";
}
