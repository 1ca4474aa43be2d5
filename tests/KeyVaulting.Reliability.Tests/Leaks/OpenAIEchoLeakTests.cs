using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using KeyVaulting.Reliability.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenAI;
using OpenAI.Chat;

namespace KeyVaulting.Reliability.Tests.Leaks;

/// <summary>
/// The OpenAI wiring under the leak harness, against an OpenAI-compatible server (or a proxy) that repeats the
/// request's <c>Authorization</c> header everywhere it can: in the error's message, type and code, and in a response
/// header. Startup validation, the <c>HttpClient</c> handler (a 401 after a rotation, a 429, a redirect to another
/// host) and the SDK client all meet it; nothing KeyVaulting logs, throws or reports may carry the key.
/// </summary>
public sealed class OpenAIEchoLeakTests
{
    private const string ChatPath = "v1/chat/completions";

    public static TheoryData<string> AllStores() => new(Stores.All);

    [Theory]
    [MemberData(nameof(AllStores))]
    public async Task OpenAIWiring_ServerEchoesTheAuthorizationHeader_NoKeyReachesTheApplication(string storeName)
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using var store = await Stores.StartAsync(storeName);
        await using var elsewhere = await EchoServer.StartAsync();
        await using var openAI = await EchoServer.StartAsync(redirectTo: new Uri($"http://localhost:{elsewhere.Address.Port}/collect"));
        await using var world = StoreWorld.Create(store, services: services =>
        {
            services.AddOpenAIClient(settings =>
            {
                settings.Endpoint = new Uri(openAI.Address, "v1/");
                settings.ValidateKeyOnStartup = true;
                settings.MaxRetries = 0;
            });
            services.AddHttpClient("openai", http => http.BaseAddress = openAI.Address).AddOpenAIKeyHandler();
        });
        var sent = await world.GetKeyAsync();

        // Startup validation: a 401 whose body repeats the key.
        var startup = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            foreach (var hosted in world.Services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }
        });
        world.Witness.Saw(startup);

        // The handler: a 401 after a rotation (sent once more with the new key, echoed again), then a 429.
        var rotated = store.Rotate();
        world.Time.Advance(TimeSpan.FromSeconds(6));
        var http = world.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
        (await http.PostAsync(ChatPath, Chat("rotated"))).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        openAI.Status = 429;
        (await http.PostAsync(ChatPath, Chat("limited"))).StatusCode.Should().Be(System.Net.HttpStatusCode.TooManyRequests);

        // The handler: a redirect to another host that answers 401.
        openAI.Status = 401;
        (await http.PostAsync("redirect", Chat("redirected"))).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);

        // The SDK client: its own exception holds the body (the application's to handle); KeyVaulting's logs must not.
        var chat = world.Services.GetRequiredService<OpenAIClient>().GetChatClient("gpt-4o-mini");
        await Assert.ThrowsAnyAsync<Exception>(() => chat.CompleteChatAsync([new UserChatMessage("sdk")]));

        openAI.Authorizations.Should().Contain(["Bearer " + sent.Value, "Bearer " + rotated.Value], "the server was sent both keys, so every answer repeated one");
        elsewhere.Authorizations.Should().ContainSingle().Which.Should().BeEmpty("no key reaches the redirect target");
        world.Witness.ShouldNotHaveLeaked();
        unobserved.ShouldBeNone();
    }

    private static StringContent Chat(string tag)
        => new($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{tag}}"}]}""", System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// Answers every request with <see cref="Status"/> and an OpenAI error whose message, type and code repeat the
    /// request's <c>Authorization</c> header (and so does a response header); <c>/redirect</c> answers 307 instead.
    /// </summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly ConcurrentQueue<string> _authorizations = new();
        private LocalServer _server = null!;

        public Uri Address => _server.Address;

        public int Status { get; set; } = 401;

        /// <summary>Gets the <c>Authorization</c> header of every request, empty when there was none.</summary>
        public IReadOnlyList<string> Authorizations => [.. _authorizations];

        public static async Task<EchoServer> StartAsync(Uri? redirectTo = null)
        {
            var echo = new EchoServer();
            echo._server = await LocalServer.StartAsync(context => echo.AnswerAsync(context, redirectTo));
            return echo;
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();

        private async Task AnswerAsync(HttpContext context, Uri? redirectTo)
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            _authorizations.Enqueue(authorization);
            if (redirectTo is not null && context.Request.Path == "/redirect")
            {
                context.Response.StatusCode = 307;
                context.Response.Headers.Location = redirectTo.ToString();
                return;
            }

            var error = new JsonObject
            {
                ["message"] = $"You sent 'Authorization: {authorization}'.",
                ["type"] = authorization,
                ["param"] = null,
                ["code"] = authorization.Replace("Bearer ", string.Empty, StringComparison.Ordinal),
            };
            context.Response.StatusCode = Status;
            context.Response.ContentType = "application/json";
            context.Response.Headers["X-Echo-Authorization"] = authorization;
            await context.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString());
        }
    }
}
