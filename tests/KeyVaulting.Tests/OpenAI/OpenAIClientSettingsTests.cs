using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// <see cref="OpenAIClientSettings.Transport"/>: the application's own HTTP stack carries every request, the key and
/// the 401 recovery still apply, configuration cannot set it, and KeyVaulting never disposes it.
/// </summary>
public class OpenAIClientSettingsTests
{
    [Fact]
    public async Task Transport_HttpClientWithConnectionLimit_SendsEveryRequestWithTheCurrentKey()
    {
        using var handler = new CountingHttpHandler(maxConnectionsPerServer: 2);
        using var http = new HttpClient(handler, disposeHandler: false);
        await using var context = await OpenAITestContext.StartAsync(settings => settings.Transport = new HttpClientPipelineTransport(http));
        var chat = context.Client.GetChatClient("gpt-4o-mini");

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => OpenAITestContext.ChatAsync(chat, $"limited-{i}")));
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        await context.Provider.RefreshAsync();
        await OpenAITestContext.ChatAsync(chat, "rotated");

        handler.Keys.Should().Equal([.. Enumerable.Repeat(OpenAITestContext.Key1, 10), OpenAITestContext.Key2], "every request goes through the application's transport with the key current when it is sent");
        context.Server.Requests.Should().HaveCount(11, "no request bypasses the transport");
        handler.Connections.Should().BeInRange(1, 2, "the transport's connection limit holds for concurrent requests");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task Transport_KeyRevoked_ResendsWithTheRefreshedKeyThroughIt()
    {
        using var handler = new CountingHttpHandler(maxConnectionsPerServer: 1);
        using var http = new HttpClient(handler, disposeHandler: false);
        await using var context = await OpenAITestContext.StartAsync(settings => settings.Transport = new HttpClientPipelineTransport(http));
        var chat = context.Client.GetChatClient("gpt-4o-mini");
        await OpenAITestContext.ChatAsync(chat, "warm-up");
        context.Source.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key1);

        var result = await OpenAITestContext.ChatAsync(chat, "recovered");

        result.GetRawResponse().Status.Should().Be(200);
        handler.Keys.Should().Equal([OpenAITestContext.Key1, OpenAITestContext.Key1, OpenAITestContext.Key2], "the resend after the 401 goes through the same transport");
        context.Server.Requests.Where(r => r.Tag == "recovered").Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
        context.Source.FetchCount.Should().Be(2, "the first load, then one read after the 401");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task Transport_RateLimited_RetriedThroughIt()
    {
        using var handler = new CountingHttpHandler(maxConnectionsPerServer: 1);
        using var http = new HttpClient(handler, disposeHandler: false);
        await using var context = await OpenAITestContext.StartAsync(
            settings =>
            {
                settings.Transport = new HttpClientPipelineTransport(http);
                settings.MaxRetries = 1;
            },
            fakeTime: false);
        context.Server.EnqueueError(429, "429-rate_limit_exceeded.json", ("retry-after-ms", "1"));

        var result = await OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "busy");

        result.GetRawResponse().Status.Should().Be(200);
        handler.Keys.Should().Equal([OpenAITestContext.Key1, OpenAITestContext.Key1], "the retry policy runs before the application's transport");
    }

    [Fact]
    public async Task Transport_SetInCodeWithTheOtherSettingsFromConfiguration_BothApply()
    {
        await using var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key1);
        var configuration = Json($$$"""{"OpenAI": {"Endpoint": "{{{server.Endpoint}}}", "ProjectId": "proj_config"}}""");
        using var handler = new CountingHttpHandler(maxConnectionsPerServer: 4);
        using var http = new HttpClient(handler, disposeHandler: false);
        var source = new MutableKeySource();
        source.SetValue(OpenAITestContext.Key1);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(source);
        services.AddOpenAIClient(configuration.GetSection("OpenAI"))
            .AddOpenAIClient(settings => settings.Transport = new HttpClientPipelineTransport(http));
        await using var provider = services.BuildServiceProvider();

        await OpenAITestContext.ChatAsync(provider.GetRequiredService<OpenAIClient>().GetChatClient("gpt-4o-mini"), "mixed");

        handler.Keys.Should().Equal(OpenAITestContext.Key1);
        server.Requests.Should().ContainSingle().Which.Project.Should().Be("proj_config");
    }

    [Theory]
    [InlineData("""{"OpenAI": {"Transport": "HttpClient"}}""")]
    [InlineData("""{"OpenAI": {"Transport": {"MaxConnectionsPerServer": 256}}}""")]
    public void Transport_InConfiguration_ThrowsNamingItAndSayingToSetItInCode(string json)
    {
        var services = new ServiceCollection();
        services.AddOpenAIClient(Json(json).GetSection("OpenAI"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(Options.DefaultName);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("Configuration 'OpenAI:Transport' cannot be read from configuration*PipelineTransport*Remove the key from configuration and set OpenAIClientSettings.Transport in code*");
    }

    [Fact]
    public async Task Transport_ServicesDisposed_IsNotDisposedWithThem()
    {
        using var handler = new CountingHttpHandler(maxConnectionsPerServer: 1);
        using var http = new HttpClient(handler, disposeHandler: false);
        var context = await OpenAITestContext.StartAsync(settings => settings.Transport = new HttpClientPipelineTransport(http));
        await OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "before");
        await context.Services.DisposeAsync();

        try
        {
            using var response = await http.GetAsync(new Uri(context.Server.Endpoint, "models"));

            response.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, "the application's HttpClient still sends after the client's services are gone");
        }
        finally
        {
            await context.Server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Transport_FollowsARedirectToAnotherHostThatAnswers401AfterARotation_NoKeyReachesThatHost(int status)
    {
        await using var collector = await RecordingServer.StartAsync(RecordingServer.InvalidApiKeyAsync);
        await using var server = await RecordingServer.StartAsync(context => RecordingServer.RedirectAsync(context, status, $"http://localhost:{collector.Port}/collect"));
        using var http = new HttpClient(new SocketsHttpHandler()); // follows redirects, as SocketsHttpHandler does by default
        await using var context = await OpenAITestContext.StartAsync(settings =>
        {
            settings.Endpoint = new Uri(server.Address, "v1/");
            settings.Transport = new HttpClientPipelineTransport(http);
            settings.MaxRetries = 0;
        });
        (await context.Provider.GetKeyAsync()).Value.Should().Be(OpenAITestContext.Key1);
        context.Source.SetValue(OpenAITestContext.Key2);
        context.PassMinimumRefreshInterval();

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "redirected");

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(401);
        collector.Requests.Should().NotBeEmpty().And.OnlyContain(r => r.Authorization == null, "HttpClient drops Authorization on a redirect, and the SDK resends to its endpoint, never to the redirect target");
        server.Requests.Should().OnlyContain(r => r.Authorization == "Bearer " + OpenAITestContext.Key1 || r.Authorization == "Bearer " + OpenAITestContext.Key2);
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    private static IConfiguration Json(string json)
        => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
}
