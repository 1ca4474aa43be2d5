using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// Captures every event of System.ClientModel's event source, where the OpenAI client's pipeline logs requests and
/// responses, headers included, when no <c>ILoggerFactory</c> is given to it, at the most verbose level.
/// </summary>
/// <remarks>
/// Event listeners see the whole process, so other tests' requests are captured too: <see cref="EventsFor"/> keeps
/// the events of requests to one server.
/// </remarks>
internal sealed class ClientModelEventListener : EventListener
{
    private readonly ConcurrentQueue<(string Name, IReadOnlyList<string> Payload)> _events = new();

    /// <summary>Returns, as text, the events of the requests sent to <paramref name="server"/> (request, response, errors).</summary>
    public IReadOnlyList<string> EventsFor(Uri server)
    {
        var events = _events.ToList();
        var requestIds = events
            .Where(e => e.Name == "Request" && e.Payload.Count > 2 && e.Payload[2].StartsWith(server.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal))
            .Select(e => e.Payload[0])
            .ToHashSet(StringComparer.Ordinal);
        return events
            .Where(e => e.Payload.Count > 0 && requestIds.Contains(e.Payload[0]))
            .Select(e => $"{e.Name}: {string.Join(" | ", e.Payload)}")
            .ToList();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.ClientModel")
        {
            EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
        => _events.Enqueue((eventData.EventName ?? string.Empty, eventData.Payload?.Select(p => p?.ToString() ?? string.Empty).ToList() ?? []));
}
