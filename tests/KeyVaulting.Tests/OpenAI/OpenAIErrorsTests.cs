using KeyVaulting.Testing;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>OpenAIErrors tells an exhausted quota from a rate limit, from OpenAI's real error bodies.</summary>
public class OpenAIErrorsTests
{
    [Theory]
    [InlineData(429, "429-insufficient_quota.json", OpenAIQuotaKind.InsufficientQuota)]
    [InlineData(429, "429-insufficient_quota.with-docs-link.json", OpenAIQuotaKind.InsufficientQuota)]
    [InlineData(429, "429-rate_limit_exceeded.json", OpenAIQuotaKind.RateLimitExceeded)]
    [InlineData(404, "404-model_not_found.json", OpenAIQuotaKind.None)]
    public async Task GetQuotaKind_ClientResultExceptionFromFixture_TellsTheKind(int status, string fixture, OpenAIQuotaKind expected)
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueError(status, fixture);

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "error");

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        OpenAIErrors.GetQuotaKind(thrown).Should().Be(expected);
    }

    [Fact]
    public async Task GetQuotaKind_OlderInsufficientQuotaBodyWithNullCode_IsInsufficientQuota()
    {
        // Bodies from 2023 named the quota error only in "type" (see tests/fixtures/openai/errors/index.json).
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueResponse(429, """{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":null}}""");

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "old-body");

        OpenAIErrors.GetQuotaKind((await act.Should().ThrowAsync<ClientResultException>()).Which).Should().Be(OpenAIQuotaKind.InsufficientQuota);
    }

    [Fact]
    public async Task GetQuotaKind_429WithoutOpenAIErrorBody_IsRateLimitExceeded()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueResponse(429, "<html>Too Many Requests</html>");

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "proxy");

        OpenAIErrors.GetQuotaKind((await act.Should().ThrowAsync<ClientResultException>()).Which).Should().Be(OpenAIQuotaKind.RateLimitExceeded);
    }

    [Fact]
    public async Task GetQuotaKind_NetworkFailureWithoutResponse_IsNone()
    {
        var closedPort = ClosedLoopbackPort();
        await using var context = await OpenAITestContext.StartAsync(settings =>
        {
            settings.Endpoint = new Uri($"http://127.0.0.1:{closedPort}/v1/");
            settings.MaxRetries = 0;
        });

        var act = () => OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "unreachable");

        OpenAIErrors.GetQuotaKind((await act.Should().ThrowAsync<ClientResultException>()).Which).Should().Be(OpenAIQuotaKind.None);
    }

    [Fact]
    public async Task GetQuotaKind_PipelineResponseOfProtocolCall_TellsTheKind()
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.MaxRetries = 0);
        context.Server.EnqueueError(429, "429-insufficient_quota.json");
        var body = BinaryContent.Create(BinaryData.FromString("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"protocol"}]}"""));

        var result = await context.Client.GetChatClient("gpt-4o-mini").CompleteChatAsync(body, new RequestOptions { ErrorOptions = ClientErrorBehaviors.NoThrow });

        OpenAIErrors.GetQuotaKind(result.GetRawResponse()).Should().Be(OpenAIQuotaKind.InsufficientQuota);
    }

    [Fact]
    public async Task GetQuotaKindAsync_HttpResponse_TellsTheKindAndKeepsTheBodyReadable()
    {
        await using var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key1);
        server.EnqueueError(429, "429-insufficient_quota.json");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OpenAITestContext.Key1);
        using var response = await http.SendAsync(request);

        var kind = await OpenAIErrors.GetQuotaKindAsync(response);

        kind.Should().Be(OpenAIQuotaKind.InsufficientQuota);
        (await response.Content.ReadAsStringAsync()).Should().Contain("You exceeded your current quota");
    }

    [Fact]
    public async Task GetQuotaKindAsync_SuccessResponse_IsNone()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };

        (await OpenAIErrors.GetQuotaKindAsync(response)).Should().Be(OpenAIQuotaKind.None);
    }

    [Fact]
    public async Task GetQuotaKind_NullArguments_Throw()
    {
        FluentActions.Invoking(() => OpenAIErrors.GetQuotaKind((ClientResultException)null!)).Should().Throw<ArgumentNullException>().WithParameterName("exception");
        FluentActions.Invoking(() => OpenAIErrors.GetQuotaKind((PipelineResponse)null!)).Should().Throw<ArgumentNullException>().WithParameterName("response");
        await FluentActions.Awaiting(() => OpenAIErrors.GetQuotaKindAsync(null!)).Should().ThrowAsync<ArgumentNullException>().WithParameterName("response");
    }

    internal static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
