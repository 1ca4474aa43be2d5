using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>
/// Records the host of every request an <see cref="HttpClient"/> in this process starts while it is alive: the Azure
/// SDK, Azure.Identity (managed identity, token requests), AWSSDK.Core (instance metadata) and KeyVaulting's own HTTP
/// all go through it. Tests use it to prove that nothing left this machine.
/// </summary>
internal sealed class OutboundHttpRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _requests = new();
    private readonly ActivityListener _listener;

    public OutboundHttpRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // The request's tags are set just after it starts, before anything is sent: read them when asked.
            ActivityStarted = _requests.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Gets the hosts of the requests started so far.</summary>
    public IReadOnlyCollection<string> Hosts => _requests.Select(HostOf).ToArray();

    /// <summary>Gets the hosts of the requests started so far that are not this machine.</summary>
    public IReadOnlyCollection<string> OffMachineHosts => Hosts.Where(host => !IsLoopback(host)).ToArray();

    public void Dispose() => _listener.Dispose();

    private static string HostOf(Activity activity)
    {
        if (activity.GetTagItem("server.address") is string address)
        {
            return address;
        }

        return activity.GetTagItem("url.full") is string url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.Host
            : "(unknown host)";
    }

    private static bool IsLoopback(string host)
        => string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
           || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
