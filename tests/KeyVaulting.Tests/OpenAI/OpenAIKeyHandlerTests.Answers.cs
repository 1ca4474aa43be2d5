using System.Net;
using KeyVaulting.OpenAIClients.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// What the handler does with OpenAI's answers: a refreshed key rejected too is reported once, a rejection ends only
/// with a success, a request without content is sent again after a rotation, and multipart content is sent again
/// only when every part can be read twice.
/// </summary>
public partial class OpenAIKeyHandlerTests
{
    [Fact]
    public async Task SendAsync_RefreshedKeyRejectedToo_Returns401AndWarnsNamingTheNewKey()
    {
        await using var world = await HandlerWorld.StartAsync();
        await world.RotateInTheStoreOnlyAsync();
        world.Server.RevokeKey(OpenAITestContext.Key1); // Key2, now in the store, is not known to OpenAI either

        using var response = await world.Http.PostAsync(ChatPath, Chat("both-rejected"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        world.Server.Requests.Where(r => r.Tag == "both-rejected").Select(r => r.Key).Should().Equal(OpenAITestContext.Key1, OpenAITestContext.Key2);
        world.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 402).Which.Message.Should().Contain("sk-proj-…0002");
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_RejectedKeyThenASuccessWithIt_RejectionLastsUntilTheSuccess()
    {
        await using var world = await HandlerWorld.StartAsync();
        (await world.Http.PostAsync(ChatPath, Chat("warm-up"))).Dispose();
        world.Server.RevokeKey(OpenAITestContext.Key1);
        world.Time.Advance(TimeSpan.FromSeconds(6));
        var provider = (KeyVaulting.Provider.OpenAIKeyProvider)world.Services.GetRequiredService<IOpenAIKeyProvider>();

        using (var rejected = await world.Http.PostAsync(ChatPath, Chat("rejected")))
        {
            rejected.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        provider.IsKeyRejected().Should().BeTrue("a 401 is not a success");
        world.Server.AcceptKey(OpenAITestContext.Key1); // the revocation was a mistake, undone
        using var accepted = await world.Http.PostAsync(ChatPath, Chat("accepted"));

        accepted.StatusCode.Should().Be(HttpStatusCode.OK);
        provider.IsKeyRejected().Should().BeFalse("a request succeeded with the key");
    }

    [Fact]
    public async Task SendAsync_RequestWithoutContentAfterARotation_SentAgainWithTheNewKey()
    {
        await using var server = await RecordingServer.StartAsync(AcceptOnlyKey2);
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = server.Address));
        await world.RotateInTheStoreOnlyAsync();

        using var response = await world.Http.GetAsync("v1/models");

        response.StatusCode.Should().Be(HttpStatusCode.OK, "a request without content can be sent twice");
        server.Requests.Select(r => r.Authorization).Should().Equal("Bearer " + OpenAITestContext.Key1, "Bearer " + OpenAITestContext.Key2);
    }

    [Theory]
    [InlineData(false, HttpStatusCode.OK)]
    [InlineData(true, HttpStatusCode.Unauthorized)]
    public async Task SendAsync_MultipartAfterARotation_SentAgainOnlyWhenEveryPartCanBeReadTwice(bool withAStreamPart, HttpStatusCode expected)
    {
        await using var server = await RecordingServer.StartAsync(AcceptOnlyKey2);
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = server.Address));
        await world.RotateInTheStoreOnlyAsync();
        using var content = new MultipartFormDataContent { { new StringContent("whisper-1"), "model" } };
        if (withAStreamPart)
        {
            content.Add(new StreamContent(new MemoryStream([1, 2, 3])), "file", "audio.mp3");
        }
        else
        {
            content.Add(new ByteArrayContent([1, 2, 3]), "file", "audio.mp3");
        }

        using var response = await world.Http.PostAsync("v1/audio/transcriptions", content);

        response.StatusCode.Should().Be(expected);
        server.Requests.Should().HaveCount(withAStreamPart ? 1 : 2);
    }

    [Fact]
    public void Describe_RelativeAddress_SaysSoWithoutThrowing()
        => OpenAIOrigin.Describe(new Uri("v1/models", UriKind.Relative)).Should().Be("(a relative address)");

    private static Task AcceptOnlyKey2(HttpContext context)
        => context.Request.Headers.Authorization == "Bearer " + OpenAITestContext.Key2
            ? RecordingServer.JsonAsync(context, 200, "{}")
            : RecordingServer.InvalidApiKeyAsync(context);
}
