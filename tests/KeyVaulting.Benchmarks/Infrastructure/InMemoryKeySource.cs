namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>
/// A key source that holds its answer in memory and alternates between two keys on <see cref="Rotate"/>: it isolates
/// the provider's own cost from any store's. Both answers are built once, so a rotation allocates nothing here.
/// </summary>
internal sealed class InMemoryKeySource : IOpenAIKeySource
{
    private readonly OpenAIKeySourceResult[] _answers;
    private int _index;

    public InMemoryKeySource(string? first = null, string? second = null)
    {
        _answers =
        [
            OpenAIKeySourceResult.Found(first ?? BenchmarkKeys.Project('A')),
            OpenAIKeySourceResult.Found(second ?? BenchmarkKeys.Project('B')),
        ];
    }

    public string Name => "Memory:benchmark";

    /// <summary>Gets the value the source answers now.</summary>
    public string Current => _answers[Volatile.Read(ref _index)].Value!;

    /// <summary>Switches the source to the other key and returns it.</summary>
    /// <returns>The value the source answers from now on.</returns>
    public string Rotate()
    {
        var next = Volatile.Read(ref _index) ^ 1;
        Volatile.Write(ref _index, next);
        return _answers[next].Value!;
    }

    public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
        => new(_answers[Volatile.Read(ref _index)]);
}
