using System.Text;
using KeyVaulting.OpenAIClients.Internal;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>
/// The handler reads the body of a 401 or a 429 to learn OpenAI's error code; it reads at most
/// <see cref="OpenAIErrorBody.MaxBytes"/> of it, whatever the server sends, and the caller still gets the whole body.
/// </summary>
public partial class OpenAIKeyHandlerTests
{
    private const string ErrorHead = """{"error":{"type":"invalid_request_error","code":"invalid_api_key","message":" """;
    private const string ErrorTail = "\"}}";

    [Theory]
    [InlineData(401, false)]
    [InlineData(401, true)]
    [InlineData(429, false)]
    [InlineData(429, true)]
    public async Task SendAsync_ErrorAnswerWith32MiBBody_ReadsAtMostTheCapOfIt(int status, bool contentLength)
    {
        await using var server = await RecordingServer.StartAsync(context => WriteErrorAsync(context, status, 32 * 1024 * 1024, contentLength));
        var counters = new List<ResponseBytesCounter>();
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client
            .ConfigureHttpClient(http => http.BaseAddress = server.Address)
            .AddHttpMessageHandler(() =>
            {
                var counter = new ResponseBytesCounter();
                counters.Add(counter);
                return counter;
            }));

        using var request = new HttpRequestMessage(HttpMethod.Post, ChatPath) { Content = Chat("huge") };

        // ResponseHeadersRead: the caller has not asked HttpClient to buffer the body, so what is read is the handler's doing.
        using var response = await world.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(30));
        var quota = await OpenAIErrors.GetQuotaKindAsync(response).WaitAsync(TimeSpan.FromSeconds(30));

        ((int)response.StatusCode).Should().Be(status);
        quota.Should().Be(status == 429 ? OpenAIQuotaKind.RateLimitExceeded : OpenAIQuotaKind.None, "an answer too large to read names no quota error");
        counters.Should().ContainSingle().Which.BytesRead.Should().BeLessThanOrEqualTo(
            contentLength ? 0 : OpenAIErrorBody.MaxBytes + 1,
            "a body announced larger than the cap is not read at all, and one of unknown length is read one byte past the cap");
        world.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task SendAsync_401WithABodyLargerThanTheCapAndOfUnknownLength_CallerStillReadsAllOfIt()
    {
        const int padding = 1024 * 1024;
        await using var server = await RecordingServer.StartAsync(context => WriteErrorAsync(context, 401, padding, contentLength: false));
        await using var world = await HandlerWorld.StartAsync(configureClient: client => client.ConfigureHttpClient(http => http.BaseAddress = server.Address));

        using var response = await world.Http.PostAsync(ChatPath, Chat("large"));
        var body = await response.Content.ReadAsStringAsync();

        body.Should().Be(ErrorHead + new string('a', padding) + ErrorTail, "the part the handler read is given back in front of the rest");
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, int padding, bool contentLength)
    {
        var head = Encoding.UTF8.GetBytes(ErrorHead);
        var tail = Encoding.UTF8.GetBytes(ErrorTail);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (contentLength)
        {
            context.Response.ContentLength = head.Length + padding + tail.Length;
        }

        var body = context.Response.Body;
        await body.WriteAsync(head, context.RequestAborted);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        for (var left = padding; left > 0; left -= chunk.Length)
        {
            await body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, left)), context.RequestAborted);
        }

        await body.WriteAsync(tail, context.RequestAborted);
    }
}
