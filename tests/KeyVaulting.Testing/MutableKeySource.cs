namespace KeyVaulting.Testing;

/// <summary>
/// A scriptable in-memory <see cref="IOpenAIKeySource"/> for provider tests: set the value, make it fail, or make
/// it hang until released. It counts fetches.
/// </summary>
public sealed class MutableKeySource(string name = "Memory:test") : IOpenAIKeySource
{
    private volatile Func<OpenAIKeySourceResult> _next = () => OpenAIKeySourceResult.NotFound("empty");
    private volatile TaskCompletionSource? _gate;
    private int _fetches;

    public string Name { get; } = name;

    public int FetchCount => Volatile.Read(ref _fetches);

    public void SetValue(string value, string? version = null, DateTimeOffset? expiresAt = null)
        => _next = () => OpenAIKeySourceResult.Found(value, version, expiresAt);

    public void SetNotFound(string reason = "nothing here") => _next = () => OpenAIKeySourceResult.NotFound(reason);

    public void SetFailure(bool transient = true, TimeSpan? retryAfter = null, string message = "the store is down")
        => _next = () => throw new OpenAIKeySourceException(Name, message, transient, retryAfter);

    public void SetException(Exception exception) => _next = () => throw exception;

    /// <summary>Makes fetches wait until <see cref="Release"/> is called.</summary>
    public void Block() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate?.TrySetResult();

    public async ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetches);
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return _next();
    }
}
