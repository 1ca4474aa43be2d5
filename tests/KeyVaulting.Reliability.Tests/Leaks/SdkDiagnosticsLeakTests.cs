using System.Globalization;
using KeyVaulting.Reliability.Tests.Infrastructure;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// The leak scenarios with the libraries' own diagnostics turned fully on: the Azure SDK's event sources
/// (<c>Azure-Core</c>, <c>Azure-Identity</c>), .NET's <c>System.Net.Http</c> event source and AWSSDK.Core's logging
/// (every response, metrics). Every event's message and payload and every AWSSDK.Core log line go through the leak
/// harness with the rest. Each test also proves its listeners heard the scenario, so that it cannot pass on silence.
/// </summary>
[Collection(SdkDiagnosticsCollection.Name)]
public sealed class SdkDiagnosticsLeakTests
{
    public static TheoryData<string> AllStores() => new(Stores.All);

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task Lifecycle_SdkEventSourcesAndAwsSdkLoggingFullyOn_NoSecretInAnyEventOrLogLine(string storeName)
    {
        using var unobserved = new UnobservedTaskExceptions();
        using var events = new SdkEventCollector();
        using var awsLog = new AwsSdkLogCapture();
        await using var store = await Stores.StartAsync(storeName);

        await LeakScenarios.LoadRotateRefreshThenEchoingStoreAsync(store, witness =>
        {
            events.ShowTo(witness);
            awsLog.ShowTo(witness);
        });

        var port = store.Address.Port.ToString(CultureInfo.InvariantCulture);
        events.Count("System.Net.Http", "RequestStart", port).Should().BeGreaterThan(0, "HttpClient's events of the store's requests were heard: {0}", events.Census());
        if (store is AzureKeyVaultStore)
        {
            events.Count("Azure-Core", "Request", store.Address.Authority).Should().BeGreaterThan(0, "the Azure SDK's request events were heard: {0}", events.Census());
            events.Count("Azure-Core", "Response").Should().BeGreaterThan(0, "the Azure SDK's response events were heard: {0}", events.Census());
            events.Count("Azure-Core", "ErrorResponse").Should().BeGreaterThan(0, "the store's echoing error was heard: {0}", events.Census());
            events.Count("Azure-Identity").Should().BeGreaterThan(0, "Azure.Identity's token events were heard: {0}", events.Census());
        }

        awsLog.Lines.Should().Contain(l => l.Contains(awsLog.Canary, StringComparison.Ordinal), "AWSSDK.Core's log lines are captured");
        unobserved.ShouldBeNone();
    }

    [Fact]
    public async Task AzureKeyVault_ClientSecretRefusedByEntraIdWithEventSourcesOn_NoSecretInAnyEvent()
    {
        using var events = new SdkEventCollector();
        await using var store = await AzureKeyVaultStore.StartAsync();
        store.RejectClientSecret = true;
        await using var world = StoreWorld.Create(store);

        var unavailable = await world.GetKeyFailsAsync();
        await world.CheckHealthAsync();

        unavailable.Message.Should().Contain(store.SourceName);
        events.Count("Azure-Identity", text: "AADSTS7000215").Should().BeGreaterThan(0, "Azure.Identity's failure event was heard: {0}", events.Census());
        events.ShowTo(world.Witness);
        world.Witness.ShouldNotHaveLeaked();
    }
}
