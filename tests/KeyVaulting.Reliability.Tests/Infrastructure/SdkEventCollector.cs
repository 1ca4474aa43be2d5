using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace KeyVaulting.Reliability.Tests.Infrastructure;

/// <summary>
/// Listens, while it lives, to the event sources of the libraries the stores are read through, at Verbose with every
/// keyword: the Azure SDK's (<c>Azure-Core</c>: requests, responses, retries; <c>Azure-Identity</c>: token requests
/// and MSAL's log; any other <c>Azure-</c> source; Azure.Security.KeyVault.Secrets declares none of its own) and
/// .NET's <c>System.Net.Http</c> (the plain HttpClient of the AWS and Vault packages). It keeps every event's formatted
/// message and payload as text. Event listeners are process-wide: tests using one run in
/// <see cref="SdkDiagnosticsCollection"/>, alone.
/// </summary>
internal sealed class SdkEventCollector : EventListener
{
    /// <summary>The event sources watched besides those whose name starts with <c>Azure-</c>.</summary>
    private static readonly string[] Others = ["System.Net.Http"];

    // Initialized before the base constructor, which already reports the existing sources.
    private readonly ConcurrentQueue<SdkEvent> _events = new();

    /// <summary>Gets every event received so far.</summary>
    public IReadOnlyList<SdkEvent> Events => [.. _events];

    /// <summary>Gets how many events of <paramref name="source"/> (and <paramref name="eventName"/>) mention <paramref name="text"/>.</summary>
    public int Count(string source, string? eventName = null, string? text = null)
        => _events.Count(e => e.Source == source
            && (eventName is null || e.Name == eventName)
            && (text is null || e.Texts.Any(t => t?.Contains(text, StringComparison.Ordinal) == true)));

    /// <summary>Shows every event's text to the witness, which checks it with everything else.</summary>
    public void ShowTo(LeakWitness witness)
    {
        foreach (var e in _events)
        {
            foreach (var text in e.Texts)
            {
                witness.Saw($"event {e.Source}/{e.Name}", text);
            }
        }
    }

    /// <summary>A one-line census for assertion messages: events per source and name.</summary>
    public string Census()
        => string.Join(", ", _events.GroupBy(e => e.Source + "/" + e.Name).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}×{g.Count()}"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("Azure-", StringComparison.Ordinal) || Others.Contains(eventSource.Name))
        {
            EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        IReadOnlyList<object?> payload = eventData.Payload ?? (IReadOnlyList<object?>)[];
        var texts = new List<string?>(payload.Count + 1);
        if (eventData.Message is { Length: > 0 } format)
        {
            try
            {
                texts.Add(string.Format(CultureInfo.InvariantCulture, format, [.. payload]));
            }
            catch (FormatException)
            {
                texts.Add(format);
            }
        }

        foreach (var item in payload)
        {
            // Content events carry the body as bytes: read them as the text they are.
            texts.Add(item is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(item, CultureInfo.InvariantCulture));
        }

        _events.Enqueue(new SdkEvent(eventData.EventSource.Name, eventData.EventName ?? eventData.EventId.ToString(CultureInfo.InvariantCulture), texts));
    }
}

/// <summary>One event of an SDK event source: its source, its name, its message and payload as text.</summary>
internal sealed record SdkEvent(string Source, string Name, IReadOnlyList<string?> Texts);
