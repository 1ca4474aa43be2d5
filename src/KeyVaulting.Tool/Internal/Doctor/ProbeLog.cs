using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Tool.Internal.Doctor;

/// <summary>
/// Collects what the library logs while doctor reads one source: warnings to show as notes, and the structured
/// values of two events (a source's reason for having no key, the .env file it read). Messages are masked again
/// before they are shown, though the library never logs a key.
/// </summary>
internal sealed class ProbeLog : ILoggerProvider, ILogger
{
    /// <summary>The core package's "source has no key" event (Debug), with its <c>Reason</c>.</summary>
    private const int SourceHadNoKeyEvent = 5;

    /// <summary>The core package's "provider has no key" event (Error): the exception says it already.</summary>
    private const int NoKeyEvent = 4;

    /// <summary>The core package's ".env source reads file" event (Debug), with its <c>FilePath</c>.</summary>
    private const int DotEnvFileResolvedEvent = 20;

    private readonly ConcurrentQueue<string> _warnings = new();

    public string? NoKeyReason { get; private set; }

    public string? NoKeySource { get; private set; }

    public string? DotEnvFile { get; private set; }

    public IReadOnlyList<string> Warnings => [.. _warnings.Distinct(StringComparer.Ordinal)];

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            if (eventId.Id == SourceHadNoKeyEvent && Value(values, "Reason") is { } reason)
            {
                NoKeyReason = reason;
                NoKeySource = Value(values, "SourceName");
            }
            else if (eventId.Id == DotEnvFileResolvedEvent && Value(values, "FilePath") is { } path)
            {
                DotEnvFile = path;
            }
        }

        if (logLevel >= LogLevel.Warning && eventId.Id != NoKeyEvent)
        {
            _warnings.Enqueue(SecretShapes.Mask(formatter(state, exception)));
        }
    }

    public void Dispose()
    {
    }

    private static string? Value(IReadOnlyList<KeyValuePair<string, object?>> values, string name)
        => values.FirstOrDefault(v => string.Equals(v.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.ToString();
}
