using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Util;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Turns AWSSDK.Core's logging fully on while it lives and captures it. AWSSDK.Core has no event source: it logs
/// through <c>AWSConfigs.LoggingConfig</c> (<c>LogTo</c>: log4net, System.Diagnostics, Console; <c>LogResponses</c>;
/// <c>LogMetrics</c>) into a <see cref="TraceSource"/> named after the logging type's namespace, whose listeners are
/// registered with <see cref="AWSConfigs.AddTraceListener"/>. Here: System.Diagnostics, every response whatever its
/// size, metrics, and a listener on <c>Amazon</c>, the root of every AWSSDK.Core type. The settings are process-wide:
/// tests using this run in <see cref="SdkDiagnosticsCollection"/>, alone; the previous settings are restored.
/// </summary>
internal sealed class AwsSdkLogCapture : IDisposable
{
    private const string Root = "Amazon";

    private readonly Listener _listener = new("keyvaulting-tests-" + Guid.NewGuid().ToString("N"));
    private readonly LoggingOptions _logTo;
    private readonly ResponseLoggingOption _logResponses;
    private readonly int _logResponsesSizeLimit;
    private readonly bool _logMetrics;

    public AwsSdkLogCapture()
    {
        var config = AWSConfigs.LoggingConfig;
        (_logTo, _logResponses, _logResponsesSizeLimit, _logMetrics) = (config.LogTo, config.LogResponses, config.LogResponsesSizeLimit, config.LogMetrics);
        AWSConfigs.AddTraceListener(Root, _listener);
        config.LogTo = LoggingOptions.SystemDiagnostics;
        config.LogResponses = ResponseLoggingOption.Always;
        config.LogResponsesSizeLimit = int.MaxValue;
        config.LogMetrics = true;

        // Proof that the capture is live: a line written the way AWSSDK.Core writes its own.
        Canary = "aws-sdk-log-capture-" + Guid.NewGuid().ToString("N");
        Logger.GetLogger(typeof(AWSCredentials)).InfoFormat("{0}", Canary);
    }

    /// <summary>Gets the line logged through AWSSDK.Core's logger when the capture started.</summary>
    public string Canary { get; }

    /// <summary>Gets every line AWSSDK.Core logged so far.</summary>
    public IReadOnlyList<string> Lines => [.. _listener.Lines];

    public void ShowTo(LeakWitness witness)
    {
        foreach (var line in _listener.Lines)
        {
            witness.Saw("AWSSDK.Core log", line);
        }
    }

    public void Dispose()
    {
        var config = AWSConfigs.LoggingConfig;
        config.LogTo = _logTo;
        config.LogResponses = _logResponses;
        config.LogResponsesSizeLimit = _logResponsesSizeLimit;
        config.LogMetrics = _logMetrics;
        AWSConfigs.RemoveTraceListener(Root, _listener.Name);
        _listener.Dispose();
    }

    private sealed class Listener(string name) : TraceListener(name)
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public override bool IsThreadSafe => true;

        public override void Write(string? message) => Lines.Enqueue(message ?? string.Empty);

        public override void WriteLine(string? message) => Lines.Enqueue(message ?? string.Empty);
    }
}
