using KeyVaulting.Samples.Console;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>The recorder that proves "no network" must itself see requests, or its empty list proves nothing.</summary>
public sealed class OutboundHttpRecorderTests
{
    [Fact]
    public async Task Hosts_HttpClientRequest_IsRecordedAsOnThisMachine()
    {
        await using var server = await OfflineOpenAIServer.StartAsync();
        using var recorder = new OutboundHttpRecorder();
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.Endpoint + "/models"));

        recorder.Hosts.Should().Contain("127.0.0.1");
        recorder.OffMachineHosts.Should().NotContain("127.0.0.1");
    }
}
