namespace KeyVaulting.Tests.Reliability;

/// <summary>
/// Tests that measure the whole process (GC heap size) run alone, after the parallel tests: other tests' allocations
/// would otherwise show up in their numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurementCollection
{
    public const string Name = "Process-wide measurements";
}
