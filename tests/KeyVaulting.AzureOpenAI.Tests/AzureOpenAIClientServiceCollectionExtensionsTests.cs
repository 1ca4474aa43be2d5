using System.ClientModel;
using System.Text;
using Azure.AI.OpenAI;
using KeyVaulting.AzureOpenAI.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenAI.Chat;

namespace KeyVaulting.AzureOpenAI.Tests;

/// <summary>
/// <c>AddAzureOpenAIClient</c>: Azure.AI.OpenAI 2.9.0-beta.1 running with OpenAI 2.15 against a fake Azure OpenAI
/// resource on 127.0.0.1, with the OpenAI client's rotation and 401 rules, through Azure's two-key rotation.
/// </summary>
public sealed class AzureOpenAIClientServiceCollectionExtensionsTests
{
    private const string Deployment = "my-gpt-4o-mini";

    [Fact]
    public async Task AddAzureOpenAIClient_ChatCompletion_SendsTheCurrentKeyInTheApiKeyHeader()
    {
        await using var context = await AzureTestContext.StartAsync();
        var chat = context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment);

        var answer = await chat.CompleteChatAsync([new UserChatMessage("hello")], cancellationToken: AzureTestContext.Bounded());

        answer.Value.Content[0].Text.Should().Be(FakeAzureOpenAI.Answer);
        var request = context.Resource.Requests.Should().ContainSingle().Subject;
        request.ApiKey.Should().Be(AzureTestContext.Key1);
        request.Authorization.Should().BeEmpty("Azure's key goes in api-key, never as a bearer token");
        request.Path.Should().Be($"/openai/deployments/{Deployment}/chat/completions");
        request.ApiVersion.Should().NotBeNullOrEmpty();
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task AddAzureOpenAIClient_SynchronousCall_SendsTheCurrentKey()
    {
        await using var context = await AzureTestContext.StartAsync();
        var chat = context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment);

        var answer = chat.CompleteChat([new UserChatMessage("sync")], cancellationToken: AzureTestContext.Bounded());

        answer.Value.Content[0].Text.Should().Be(FakeAzureOpenAI.Answer);
        context.Resource.Requests.Should().ContainSingle().Which.ApiKey.Should().Be(AzureTestContext.Key1);
    }

    [Fact]
    public async Task AddAzureOpenAIClient_ServiceVersionSet_SentAsApiVersion()
    {
        await using var context = await AzureTestContext.StartAsync(settings => settings.ServiceVersion = AzureOpenAIClientOptions.ServiceVersion.V2024_10_21);

        await context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment)
            .CompleteChatAsync([new UserChatMessage("versioned")], cancellationToken: AzureTestContext.Bounded());

        context.Resource.Requests.Should().ContainSingle().Which.ApiVersion.Should().Be("2024-10-21");
    }

    [Fact]
    public async Task AddAzureOpenAIClient_TwoKeyRotation_NoRequestFails()
    {
        await using var context = await AzureTestContext.StartAsync();
        var chat = context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment);
        await chat.CompleteChatAsync([new UserChatMessage("key 1")], cancellationToken: AzureTestContext.Bounded());

        // 1. Regenerate key 2 (not in use) and put it in Key Vault as the secret's new version; key 1 still works.
        context.Resource.AcceptKey(AzureTestContext.Key2);
        context.Vault.SetValue(AzureTestContext.Key2, version: "v2");
        await chat.CompleteChatAsync([new UserChatMessage("before the refresh")], cancellationToken: AzureTestContext.Bounded());

        // 2. Every instance picks the new version up on its next refresh.
        context.PassMinimumRefreshInterval();
        await context.Provider.RefreshAsync(AzureTestContext.Bounded());
        await chat.CompleteChatAsync([new UserChatMessage("key 2")], cancellationToken: AzureTestContext.Bounded());

        // 3. Then key 1 is regenerated: its old value stops working, and nobody uses it any more.
        context.Resource.Regenerate(AzureTestContext.Key1, AzureTestContext.Key1Regenerated);
        await chat.CompleteChatAsync([new UserChatMessage("after key 1 was regenerated")], cancellationToken: AzureTestContext.Bounded());

        context.Resource.Requests.Select(r => (r.Message, r.ApiKey)).Should().Equal(
            ("key 1", AzureTestContext.Key1),
            ("before the refresh", AzureTestContext.Key1),
            ("key 2", AzureTestContext.Key2),
            ("after key 1 was regenerated", AzureTestContext.Key2));
        context.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 400, "no request met a 401");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task AddAzureOpenAIClient_KeyRegeneratedBeforeTheAppRefreshed_RecoversOnceWithTheVaultsNewVersion()
    {
        await using var context = await AzureTestContext.StartAsync();
        var chat = context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment);
        await chat.CompleteChatAsync([new UserChatMessage("warm")], cancellationToken: AzureTestContext.Bounded());
        context.Resource.AcceptKey(AzureTestContext.Key2);
        context.Vault.SetValue(AzureTestContext.Key2, version: "v2");
        context.Resource.Regenerate(AzureTestContext.Key1, AzureTestContext.Key1Regenerated); // too early: the app still sends key 1
        context.PassMinimumRefreshInterval();

        var answer = await chat.CompleteChatAsync([new UserChatMessage("raced")], cancellationToken: AzureTestContext.Bounded());

        answer.Value.Content[0].Text.Should().Be(FakeAzureOpenAI.Answer);
        context.Resource.Requests.Where(r => r.Message == "raced").Select(r => r.ApiKey)
            .Should().Equal(AzureTestContext.Key1, AzureTestContext.Key2);
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 400).Which.Message.Should().Contain("AzureKeyVault:azure-openai-key");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task AddAzureOpenAIClient_VaultStillHoldsTheRegeneratedKey_The401ReachesTheCallerAfterOneTry()
    {
        await using var context = await AzureTestContext.StartAsync(settings => settings.MaxRetries = 3);
        var chat = context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment);
        await context.Provider.GetKeyAsync();
        context.Resource.Regenerate(AzureTestContext.Key1, AzureTestContext.Key1Regenerated); // and nobody updated the vault
        context.PassMinimumRefreshInterval();

        var act = () => chat.CompleteChatAsync([new UserChatMessage("stale")], cancellationToken: AzureTestContext.Bounded());

        var thrown = (await act.Should().ThrowAsync<ClientResultException>()).Which;
        thrown.Status.Should().Be(401);
        context.Resource.Requests.Should().ContainSingle("the vault had no newer key, so the request is not sent again");
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 401);
        context.ShouldNotHaveLeakedKeys(thrown);
    }

    [Fact]
    public async Task AddAzureOpenAIClient_NewKeyRejectedToo_IsNotSentAThirdTime()
    {
        await using var context = await AzureTestContext.StartAsync();
        var chat = context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment);
        await context.Provider.GetKeyAsync();
        context.Resource.Regenerate(AzureTestContext.Key1, AzureTestContext.Key1Regenerated);
        context.Vault.SetValue(AzureTestContext.Key2, version: "v2"); // a value the resource does not accept
        context.PassMinimumRefreshInterval();

        var act = () => chat.CompleteChatAsync([new UserChatMessage("wrong key")], cancellationToken: AzureTestContext.Bounded());

        (await act.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(401);
        context.Resource.Requests.Select(r => r.ApiKey).Should().Equal(AzureTestContext.Key1, AzureTestContext.Key2);
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 402);
    }

    [Fact]
    public async Task AddAzureOpenAIClient_InsufficientQuota_IsNotRetried()
    {
        await using var context = await AzureTestContext.StartAsync();
        context.Resource.Enqueue(429, File.ReadAllText(Fixtures.PathOf("openai", "errors", "429-insufficient_quota.json")));
        var chat = context.Services.GetRequiredService<AzureOpenAIClient>().GetChatClient(Deployment);

        var act = () => chat.CompleteChatAsync([new UserChatMessage("no credits")], cancellationToken: AzureTestContext.Bounded());

        (await act.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(429);
        context.Resource.Requests.Should().ContainSingle();
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 404);
    }

    [Fact]
    public async Task AddAzureOpenAIChatClient_PipelineWithFunctionInvocation_SendsTheCurrentKey()
    {
        await using var context = await AzureTestContext.StartAsync(services: s => s.AddAzureOpenAIChatClient(Deployment).UseFunctionInvocation());
        var chat = context.Services.GetRequiredService<IChatClient>();

        var response = await chat.GetResponseAsync("pipeline", cancellationToken: AzureTestContext.Bounded());

        response.Text.Should().Be(FakeAzureOpenAI.Answer);
        chat.GetService<FunctionInvokingChatClient>().Should().NotBeNull();
        context.Services.GetRequiredService<ChatClient>().Should().NotBeNull();
        context.Resource.Requests.Should().ContainSingle().Which.ApiKey.Should().Be(AzureTestContext.Key1);
    }

    [Fact]
    public async Task AddKeyedAzureOpenAIClient_NamedProvider_SendsItsKey()
    {
        await using var resource = await FakeAzureOpenAI.StartAsync(AzureTestContext.Key2);
        var vault = new MutableKeySource("AzureKeyVault:eu-openai-key");
        vault.SetValue(AzureTestContext.Key2);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider("eu").AddSource(vault);
        services.AddKeyedAzureOpenAIClient("eu", settings => settings.Endpoint = resource.Endpoint);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<AzureOpenAIClient>("eu").GetChatClient(Deployment)
            .CompleteChatAsync([new UserChatMessage("eu")], cancellationToken: AzureTestContext.Bounded());

        resource.Requests.Should().ContainSingle().Which.ApiKey.Should().Be(AzureTestContext.Key2);
    }

    [Fact]
    public void AddAzureOpenAIClient_NoKeyProviderRegistered_ThrowsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddAzureOpenAIClient(settings => settings.Endpoint = new Uri("https://my-resource.openai.azure.com/"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<AzureOpenAIClient>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*services.AddOpenAIKeyProvider()*AZURE_OPENAI_API_KEY*");
    }

    [Fact]
    public async Task AddAzureOpenAIClient_NoEndpointOrPlainHttpToAnotherMachine_StartupFailsNamingTheSetting()
    {
        foreach (var endpoint in new Uri?[] { null, new("http://my-resource.openai.azure.com/") })
        {
            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddOpenAIKeyProvider().AddSource(new MutableKeySource());
            builder.Services.AddAzureOpenAIClient(settings => settings.Endpoint = endpoint);
            using var host = builder.Build();

            var act = () => host.StartAsync();

            (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("Endpoint");
        }
    }

    [Theory]
    [InlineData("""{"AzureOpenAI": {"Endpoint": "https://r.openai.azure.com/", "Endpiont": "x"}}""", "*'AzureOpenAI'*'Endpiont'*")]
    [InlineData("""{"AzureOpenAI": {"Endpoint": "https://r.openai.azure.com/", "Transport": "x"}}""", "*'AzureOpenAI:Transport'*in code*")]
    public void AddAzureOpenAIClient_ConfigurationWithABadKey_ThrowsNamingIt(string json, string message)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddAzureOpenAIClient(configuration.GetSection("AzureOpenAI"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<AzureOpenAIClientSettings>>().Get(Options.DefaultName);

        act.Should().Throw<InvalidOperationException>().WithMessage(message);
    }

    [Fact]
    public void AddAzureOpenAIClient_ConfigurationSection_BindsEverySetting()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""
            {"AzureOpenAI": {"Endpoint": "https://r.openai.azure.com/", "ServiceVersion": "V2024_10_21", "MaxRetries": 1, "NetworkTimeout": "00:00:30", "UserAgentApplicationId": "my-app"}}
            """))).Build();
        var services = new ServiceCollection();
        services.AddAzureOpenAIClient(configuration.GetSection("AzureOpenAI"));
        using var provider = services.BuildServiceProvider();

        var settings = provider.GetRequiredService<IOptionsMonitor<AzureOpenAIClientSettings>>().Get(Options.DefaultName);

        (settings.Endpoint, settings.ServiceVersion, settings.MaxRetries, settings.NetworkTimeout, settings.UserAgentApplicationId).Should().Be(
            (new Uri("https://r.openai.azure.com/"), AzureOpenAIClientOptions.ServiceVersion.V2024_10_21, 1, TimeSpan.FromSeconds(30), "my-app"));
    }
}
