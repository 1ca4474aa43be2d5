using Microsoft.Extensions.Logging;

namespace KeyVaulting.Tool.Internal.Rotate;

/// <summary>
/// Shows a rotation's progress step by step from what the rotation package logs (events 500–599, category
/// <c>KeyVaulting.Rotation</c>: claim, create, stage, test, promote, revoke; fingerprints and ids only), as each step
/// happens. Messages are masked again before they are shown.
/// </summary>
internal sealed class RotationSteps(Action<RotationStep> onStep) : ILoggerProvider, ILogger
{
    public List<RotationStep> Steps { get; } = [];

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel < LogLevel.Information || eventId.Id is < 500 or > 599)
        {
            return;
        }

        var step = new RotationStep(StepOf(eventId.Id), logLevel >= LogLevel.Warning ? (logLevel >= LogLevel.Error ? "error" : "warning") : "info", SecretShapes.Mask(formatter(state, exception)));
        lock (Steps)
        {
            Steps.Add(step);
        }

        onStep(step);
    }

    public void Dispose()
    {
    }

    private static string StepOf(int eventId) => eventId switch
    {
        500 => "claim",
        501 => "create",
        502 => "stage",
        503 => "test",
        504 => "promote",
        505 or 506 or 507 or 513 or 514 or 515 or 518 => "revoke",
        510 or 511 => "stand-down",
        512 => "rollback",
        540 => "write",
        531 => "failed",
        _ => "rotation",
    };
}

/// <summary>One step of a rotation as it was logged.</summary>
internal sealed record RotationStep(string Step, string Level, string Message);
