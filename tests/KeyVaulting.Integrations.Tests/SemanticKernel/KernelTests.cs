using KeyVaulting.Integrations.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace KeyVaulting.Integrations.Tests.SemanticKernel;

/// <summary>
/// A Semantic Kernel (<c>Microsoft.SemanticKernel.Connectors.OpenAI</c> 1.82) whose chat completion service is built
/// on the <c>OpenAIClient</c> that <c>AddOpenAIClient</c> registers: the connector sends the provider's current key and
/// recovers from a revoked one, with OpenAI 2.15.
/// </summary>
public sealed class KernelTests
{
    private const string Answer = "Hello! How can I assist you today?";

    [Fact]
    public async Task InvokePromptAsync_KernelOverAddOpenAIClient_SendsTheCurrentKey()
    {
        await using var app = await StartAsync();
        var kernel = app.Services.GetRequiredService<Kernel>();

        var result = await InvokeAsync(kernel, "hello");

        result.Should().Be(Answer);
        app.Server.Requests.Should().ContainSingle().Which.Should().Match<LocalOpenAIRequest>(r => r.Key == KeyVaultingApp.Key1 && r.Model == "gpt-4o-mini" && r.Path == "/v1/chat/completions");
    }

    [Fact]
    public async Task InvokePromptAsync_AfterARotation_SendsTheNewKey()
    {
        await using var app = await StartAsync();
        var kernel = app.Services.GetRequiredService<Kernel>();
        await InvokeAsync(kernel, "before");
        app.PutInStore(KeyVaultingApp.Key2);
        app.PassMinimumRefreshInterval();
        using (var bound = KeyVaultingApp.Bounded())
        {
            await app.Provider.RefreshAsync(bound.Token);
        }

        await InvokeAsync(kernel, "after");

        app.Server.Requests.Select(r => (r.Tag, r.Key)).Should().Equal(("before", KeyVaultingApp.Key1), ("after", KeyVaultingApp.Key2));
    }

    [Fact]
    public async Task GetChatMessageContentAsync_KeyRevoked_RecoversOnceWithTheStoresNewKey()
    {
        await using var app = await StartAsync();
        var chat = app.Services.GetRequiredService<Kernel>().GetRequiredService<IChatCompletionService>();
        app.PutInStore(KeyVaultingApp.Key2);
        app.Server.RevokeKey(KeyVaultingApp.Key1);
        app.PassMinimumRefreshInterval();
        var history = new ChatHistory();
        history.AddUserMessage("revoked");

        using var bound = KeyVaultingApp.Bounded();
        var reply = await chat.GetChatMessageContentAsync(history, cancellationToken: bound.Token);

        reply.Content.Should().Be(Answer);
        app.Server.Requests.Select(r => (r.Tag, r.Key)).Should().Equal(("revoked", KeyVaultingApp.Key1), ("revoked", KeyVaultingApp.Key2));
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 400, "one 401, one resend with the new key");
        app.Logs.ShouldNotContainSecrets(KeyVaultingApp.AllKeys);
    }

    /// <summary>The registrations a Semantic Kernel app writes: SK's connector takes the <c>OpenAIClient</c> from DI.</summary>
    private static Task<KeyVaultingApp> StartAsync() => KeyVaultingApp.StartAsync(services =>
    {
        services.AddOpenAIChatCompletion("gpt-4o-mini"); // no OpenAIClient given: the one AddOpenAIClient registered
        services.AddKernel();
    });

    private static async Task<string> InvokeAsync(Kernel kernel, string prompt)
    {
        using var bound = KeyVaultingApp.Bounded();
        var result = await kernel.InvokePromptAsync(prompt, cancellationToken: bound.Token);
        return result.ToString();
    }
}
