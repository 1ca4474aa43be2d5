using System.Net;
using KeyVaulting.OpenAIClients.Internal;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// Where the handler sends the key: only to the client's OpenAI origin (scheme, host and port of its BaseAddress, else
/// of the Endpoint setting, else https://api.openai.com), never to the target of a redirect, never over plain http
/// to another machine.
/// </summary>
public partial class OpenAIKeyHandlerTests
{
    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task SendAsync_RedirectedWithinTheOriginThen401AfterARotation_SendsNoKeyToTheRedirectTarget(int status)
    {
        await using var server = await RecordingServer.StartAsync(context => context.Request.Path == "/v1/chat/completions"
            ? RecordingServer.RedirectAsync(context, status, "/collect")
            : RecordingServer.InvalidApiKeyAsync(context));
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = server.Address));
        await world.RotateInTheStoreOnlyAsync();
        var fetches = world.Source.FetchCount;

        using var response = await world.Http.PostAsync(ChatPath, Chat("redirected"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the redirect target's answer goes back to the caller");
        server.Requests.Select(r => r.Path).Should().Equal(["/v1/chat/completions", "/collect"], "the request is not sent again to the redirect target");
        server.Requests[0].Authorization.Should().Be("Bearer " + OpenAITestContext.Key1, "the address the request was made for gets the key");
        server.Requests[1].Authorization.Should().BeNull("a key goes only to the URI the request was created for");
        world.Source.FetchCount.Should().Be(fetches, "a 401 from a redirect target is not OpenAI rejecting the key: the store is not read");
        world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 413)
            .Which.Message.Should().Contain($"{server.Address}collect").And.Contain("redirect");
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_RedirectedToAnotherHostThen401AfterARotation_NoKeyReachesThatHost()
    {
        await using var collector = await RecordingServer.StartAsync(RecordingServer.InvalidApiKeyAsync);
        await using var server = await RecordingServer.StartAsync(context => RecordingServer.RedirectAsync(context, 307, $"http://localhost:{collector.Port}/collect"));
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = server.Address));
        await world.RotateInTheStoreOnlyAsync();

        using var response = await world.Http.PostAsync(ChatPath, Chat("redirected"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        collector.Requests.Should().ContainSingle("the request is not sent again to the redirect target")
            .Which.Authorization.Should().BeNull("no key, neither the rejected one nor the rotated one, reaches the redirect target");
        server.Requests.Should().ContainSingle().Which.Authorization.Should().Be("Bearer " + OpenAITestContext.Key1);
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_AbsoluteUriOfAnotherOrigin_SendsNoKeyNorProjectAndLogsOncePerOrigin()
    {
        await using var images = await RecordingServer.StartAsync(context => RecordingServer.JsonAsync(context, 200, "{}"));
        await using var world = await HandlerWorld.StartAsync(services => services.AddOpenAIClient(settings => settings.ProjectId = "proj_keyvaulting"));
        var sameHostOtherPort = new Uri($"http://127.0.0.1:{images.Port}/image.png");
        var otherHostSamePort = new Uri($"http://localhost:{world.Server.BaseAddress.Port}/{ChatPath}");
        var otherHostOtherPort = new Uri($"http://localhost:{images.Port}/image.png");

        (await world.Http.GetAsync(sameHostOtherPort)).Dispose();
        (await world.Http.GetAsync(sameHostOtherPort)).Dispose();
        (await world.Http.GetAsync(otherHostOtherPort)).Dispose();
        using var sameServerByAnotherName = await world.Http.PostAsync(otherHostSamePort, Chat("by-another-name"));
        using var openAI = await world.Http.PostAsync(ChatPath, Chat("openai"));

        images.Requests.Should().HaveCount(3).And.OnlyContain(r => r.Authorization == null && r.Project == null, "only the client's OpenAI origin gets the key and the OpenAI headers");
        sameServerByAnotherName.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "localhost is another origin than 127.0.0.1, even on the same port");
        world.Server.Requests.Select(r => r.Key).Should().Equal([null, OpenAITestContext.Key1], "the 401 of a request sent without the key is not answered with a resend");
        openAI.StatusCode.Should().Be(HttpStatusCode.OK);
        var logged = world.Logs.GetSnapshot().Where(r => r.Id.Id == 412).Select(r => r.Message).ToList();
        logged.Should().HaveCount(3, "each origin that went without the key is logged once");
        logged.Should().ContainSingle(m => m.Contains($"http://127.0.0.1:{images.Port} ", StringComparison.Ordinal))
            .Which.Should().Contain($"{world.Server.BaseAddress.GetLeftPart(UriPartial.Authority)} (the client's BaseAddress)");
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_RequestsToManyOtherOrigins_LogsABoundedNumberOfThem()
    {
        await using var world = await HandlerWorld.StartAsync();
        var closed = ClosedLoopbackAddress().Port;
        var origins = OpenAIKeyDestination.MaxLoggedOrigins + 20;

        for (var i = 0; i < origins; i++)
        {
            // 127.0.0.0/8 is this machine: every address is another origin, and each connection is refused at once.
            var other = new Uri($"http://127.0.{1 + (i / 250)}.{1 + (i % 250)}:{closed}/image.png");
            await Assert.ThrowsAsync<HttpRequestException>(() => world.Http.GetAsync(other));
        }

        world.Logs.GetSnapshot().Count(r => r.Id.Id == 412).Should().Be(OpenAIKeyDestination.MaxLoggedOrigins, "the memory of logged origins is bounded");
    }

    [Fact]
    public async Task SendAsync_NoBaseAddress_SendsTheKeyOnlyToTheEndpointSettingsOrigin()
    {
        await using var openAI = await RecordingServer.StartAsync(context => RecordingServer.JsonAsync(context, 200, "{}"));
        await using var other = await RecordingServer.StartAsync(context => RecordingServer.JsonAsync(context, 200, "{}"));
        await using var world = await HandlerWorld.StartAsync(
            services => services.AddOpenAIClient(settings => settings.Endpoint = new Uri(openAI.Address, "v1/")),
            configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = null));

        (await world.Http.PostAsync(new Uri(openAI.Address, ChatPath), Chat("endpoint"))).Dispose();
        (await world.Http.GetAsync(new Uri(other.Address, "image.png"))).Dispose();

        openAI.Requests.Should().ContainSingle().Which.Authorization.Should().Be("Bearer " + OpenAITestContext.Key1);
        other.Requests.Should().ContainSingle().Which.Authorization.Should().BeNull("another port is another origin");
        world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 412).Which.Message.Should().Contain("Endpoint");
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_NoBaseAddressAndNoEndpoint_SendsTheKeyOnlyToApiOpenAIcom()
    {
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = null));

        using var response = await world.Http.PostAsync(new Uri(world.Server.BaseAddress, ChatPath), Chat("not-openai"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        world.Server.Requests.Should().ContainSingle().Which.Key.Should().BeNull("without a BaseAddress or an Endpoint setting, the key goes only to https://api.openai.com");
        world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 412).Which.Message.Should().Contain(
            "https://api.openai.com (OpenAI's API; the client has no BaseAddress and no Endpoint setting)");
    }

    [Theory]
    [InlineData("http://openai-proxy.example/")]
    [InlineData("http://10.0.0.7:8080/v1/")]
    public async Task AddOpenAIKeyHandler_BaseAddressPlainHttpToAnotherMachine_CreateClientThrowsNamingTheFix(string baseAddress)
    {
        var source = new MutableKeySource();
        source.SetValue(OpenAITestContext.Key1);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(source);
        services.AddHttpClient("openai", http => http.BaseAddress = new Uri(baseAddress)).AddOpenAIKeyHandler();
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"*HttpClient 'openai'*{new Uri(baseAddress).GetLeftPart(UriPartial.Authority)}*plain http*https*");
        source.FetchCount.Should().Be(0, "the key is not even read");
    }
}
