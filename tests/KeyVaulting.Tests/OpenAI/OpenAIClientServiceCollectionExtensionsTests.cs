using System.Globalization;
using System.Text;
using KeyVaulting.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace KeyVaulting.Tests.OpenAIClients;

/// <summary>Registration: OpenAIClient, ChatClient, IChatClient, EmbeddingClient, the embedding generator, keyed variants, settings.</summary>
public class OpenAIClientServiceCollectionExtensionsTests
{
    private const string Answer = "Hello! How can I assist you today?";

    [Fact]
    public async Task AddOpenAIClient_ResolvedTwice_IsOneSingletonThatSendsTheProvidersKey()
    {
        await using var context = await OpenAITestContext.StartAsync();

        var first = context.Services.GetRequiredService<OpenAIClient>();
        var second = context.Services.GetRequiredService<OpenAIClient>();
        await OpenAITestContext.ChatAsync(first.GetChatClient("gpt-4o-mini"), "singleton");

        second.Should().BeSameAs(first);
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key1);
    }

    [Fact]
    public async Task AddOpenAIClient_TraceLoggingAndClientModelEvents_ContainNoKey()
    {
        using var events = new ClientModelEventListener();
        await using var context = await OpenAITestContext.StartAsync(services: (services, _) => services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)));

        await OpenAITestContext.ChatAsync(context.Client.GetChatClient("gpt-4o-mini"), "trace");

        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key1, "the key was sent, so it could have been logged");
        context.ShouldNotHaveLeakedKeys();
        var logged = events.EventsFor(context.Server.BaseAddress);
        logged.Should().NotContain(e => e.Contains(OpenAITestContext.Key1, StringComparison.Ordinal));
        logged.Should().Contain(e => e.StartsWith("Request: ", StringComparison.Ordinal) && e.Contains("Authorization:REDACTED", StringComparison.Ordinal), "the pipeline logs the request's headers, with Authorization redacted");
    }

    [Fact]
    public void AddOpenAIClient_CalledTwice_RegistersOneClient()
    {
        var services = new ServiceCollection();

        services.AddOpenAIClient().AddOpenAIClient(settings => settings.MaxRetries = 1);

        services.Count(d => d.ServiceType == typeof(OpenAIClient)).Should().Be(1);
    }

    [Fact]
    public void AddOpenAIClient_NoProviderRegistered_RegistersTheDefaultProvider()
    {
        var services = new ServiceCollection();

        services.AddOpenAIClient();

        using var provider = services.BuildServiceProvider();
        provider.GetService<IOpenAIKeyProvider>().Should().NotBeNull("the default chain reads OPENAI_API_KEY, then a .env file");
    }

    [Fact]
    public async Task AddOpenAIChatClient_ChatClientAndIChatClient_AnswerWithTheCurrentKey()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (services, _) => services.AddOpenAIChatClient("gpt-4o-mini"));
        var chatClient = context.Services.GetRequiredService<ChatClient>();
        var chat = context.Services.GetRequiredService<IChatClient>();

        var direct = await chatClient.CompleteChatAsync([new UserChatMessage("direct")]);
        var response = await chat.GetResponseAsync("adapter");

        direct.Value.Content[0].Text.Should().Be(Answer);
        response.Text.Should().Be(Answer);
        context.Server.Requests.Select(r => (r.Tag, r.Key, r.Model)).Should().Equal(
            ("direct", OpenAITestContext.Key1, "gpt-4o-mini"),
            ("adapter", OpenAITestContext.Key1, "gpt-4o-mini"));
    }

    [Fact]
    public async Task AddOpenAIEmbeddingClient_EmbeddingGenerator_EmbedsWithTheCurrentKey()
    {
        await using var context = await OpenAITestContext.StartAsync(services: (services, _) => services.AddOpenAIEmbeddingClient("text-embedding-3-small"));
        var generator = context.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var embeddings = await generator.GenerateAsync(["abc"]);

        embeddings.Should().ContainSingle().Which.Vector.ToArray().Should().Equal(3f, 0.5f, -0.25f);
        context.Services.GetRequiredService<EmbeddingClient>().Should().NotBeNull();
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key1);
    }

    [Fact]
    public async Task AddKeyedOpenAIChatClient_ResolvedWithFromKeyedServices_UsesTheNamedProvidersKeyAndSettings()
    {
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(OpenAITestContext.Key3);
        await using var context = await OpenAITestContext.StartAsync(services: (services, server) =>
        {
            services.AddOpenAIKeyProvider("analytics").AddSource(analytics);
            services.AddKeyedOpenAIClient("analytics", settings =>
            {
                settings.Endpoint = server.Endpoint;
                settings.ProjectId = "proj_analytics";
            });
            services.AddOpenAIChatClient("gpt-4o-mini");
            services.AddKeyedOpenAIChatClient("analytics", "gpt-4o");
            services.AddSingleton<TwoProjects>();
        });
        context.Server.AcceptKey(OpenAITestContext.Key3);
        var consumer = context.Services.GetRequiredService<TwoProjects>();

        await consumer.Main.GetResponseAsync("main");
        await consumer.Analytics.GetResponseAsync("analytics");

        context.Server.Requests.Select(r => (r.Tag, r.Key, r.Project, r.Model)).Should().Equal(
            ("main", OpenAITestContext.Key1, null, "gpt-4o-mini"),
            ("analytics", OpenAITestContext.Key3, "proj_analytics", "gpt-4o"));
    }

    [Fact]
    public async Task AddKeyedOpenAIChatClient_NamedKeyRevoked_RecoversLikeTheDefaultClient()
    {
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(OpenAITestContext.Key3);
        await using var context = await OpenAITestContext.StartAsync(services: (services, server) =>
        {
            services.AddOpenAIKeyProvider("analytics").AddSource(analytics);
            services.AddKeyedOpenAIClient("analytics", settings => settings.Endpoint = server.Endpoint);
            services.AddKeyedOpenAIChatClient("analytics", "gpt-4o");
        });
        context.Server.AcceptKey(OpenAITestContext.Key3);
        var chat = context.Services.GetRequiredKeyedService<IChatClient>("analytics");
        await chat.GetResponseAsync("warm-up");
        analytics.SetValue(OpenAITestContext.Key2);
        context.Server.AcceptKey(OpenAITestContext.Key2);
        context.Server.RevokeKey(OpenAITestContext.Key3);
        context.PassMinimumRefreshInterval();

        var response = await chat.GetResponseAsync("recovered");

        response.Text.Should().Be(Answer);
        context.Server.Requests.Where(r => r.Tag == "recovered").Select(r => r.Key).Should().Equal(OpenAITestContext.Key3, OpenAITestContext.Key2);
        context.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 400).Which.Message.Should().Contain("'analytics'");
        context.ShouldNotHaveLeakedKeys();
    }

    [Fact]
    public async Task AddKeyedOpenAIEmbeddingClient_ResolvedByKey_UsesTheNamedProvidersKey()
    {
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(OpenAITestContext.Key3);
        await using var context = await OpenAITestContext.StartAsync(services: (services, server) =>
        {
            services.AddOpenAIKeyProvider("analytics").AddSource(analytics);
            services.AddKeyedOpenAIClient("analytics", settings => settings.Endpoint = server.Endpoint);
            services.AddKeyedOpenAIEmbeddingClient("analytics", "text-embedding-3-small");
        });
        context.Server.AcceptKey(OpenAITestContext.Key3);

        var generator = context.Services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("analytics");
        await generator.GenerateAsync(["abcd"]);

        context.Services.GetRequiredKeyedService<EmbeddingClient>("analytics").Should().NotBeNull();
        context.Server.Requests.Should().ContainSingle().Which.Key.Should().Be(OpenAITestContext.Key3);
    }

    [Fact]
    public void AddKeyedOpenAIClient_NamedProviderNotRegistered_ThrowsNamingIt()
    {
        var services = new ServiceCollection();
        services.AddKeyedOpenAIClient("billing");
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredKeyedService<OpenAIClient>("billing");

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*No OpenAI key provider named 'billing'*services.AddOpenAIKeyProvider(\"billing\")*");
    }

    [Fact]
    public async Task AddOpenAIClient_ConfigurationSection_BindsTheSettings()
    {
        await using var server = await LocalOpenAIServer.StartAsync(OpenAITestContext.Key1);
        var configuration = Json($$$"""
            {"OpenAI": {"Endpoint": "{{{server.Endpoint}}}", "OrganizationId": "org-config", "ProjectId": "proj_config", "MaxRetries": 1, "NetworkTimeout": "00:00:30"}}
            """);
        var source = new MutableKeySource();
        source.SetValue(OpenAITestContext.Key1);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(source);
        services.AddOpenAIClient(configuration.GetSection("OpenAI"));
        await using var provider = services.BuildServiceProvider();

        await OpenAITestContext.ChatAsync(provider.GetRequiredService<OpenAIClient>().GetChatClient("gpt-4o-mini"), "configured");

        var settings = provider.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(Options.DefaultName);
        settings.MaxRetries.Should().Be(1);
        settings.NetworkTimeout.Should().Be(TimeSpan.FromSeconds(30));
        var seen = server.Requests.Should().ContainSingle().Subject;
        (seen.Organization, seen.Project).Should().Be(("org-config", "proj_config"));
    }

    [Fact]
    public void AddOpenAIClient_ConfigurationWithMisspeltSetting_ThrowsNamingThePath()
    {
        var configuration = Json("""{"OpenAI": {"Projekt": "proj_x"}}""");
        var services = new ServiceCollection();
        services.AddOpenAIClient(configuration.GetSection("OpenAI"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(Options.DefaultName);

        act.Should().Throw<InvalidOperationException>().WithMessage("*'OpenAI'*'Projekt'*ProjectId*")
            .Which.Message.Should().NotContain("Transport", "the valid settings listed are those configuration can set");
    }

    [Fact]
    public async Task AddOpenAIClient_InvalidSettings_StartupFailsNamingEveryProblem()
    {
        using var host = BuildHost(services => services.AddOpenAIClient(settings =>
        {
            settings.Endpoint = new Uri("ftp://files.example/v1");
            settings.OrganizationId = "my organization";
            settings.MaxRetries = 50;
            settings.NetworkTimeout = TimeSpan.FromHours(2);
            settings.StrictStartupValidation = true;
        }));

        var act = () => host.StartAsync();

        var thrown = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        thrown.Failures.Should().HaveCount(5);
        thrown.Message.Should().Contain("Endpoint of the default OpenAI client must be an absolute http or https address")
            .And.Contain("OrganizationId of the default OpenAI client must be a single token")
            .And.Contain("MaxRetries")
            .And.Contain("NetworkTimeout")
            .And.Contain("StrictStartupValidation of the default OpenAI client has no effect unless ValidateKeyOnStartup is true");
    }

    [Theory]
    [InlineData(nameof(OpenAIClientSettings.OrganizationId))]
    [InlineData(nameof(OpenAIClientSettings.ProjectId))]
    [InlineData(nameof(OpenAIClientSettings.UserAgentApplicationId))]
    public void AddOpenAIClient_KeyPastedIntoAHeaderSetting_FailsWithoutRepeatingIt(string setting)
    {
        var key = TestKeys.Numbered(7);
        var services = new ServiceCollection();
        services.AddOpenAIClient(settings => typeof(OpenAIClientSettings).GetProperty(setting)!.SetValue(settings, key));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(Options.DefaultName);

        var thrown = act.Should().Throw<OptionsValidationException>().WithMessage($"*{setting} of the default OpenAI client looks like an API key*key provider*").Which;
        thrown.ShouldNotContainSecrets(key);
    }

    [Fact]
    public void AddOpenAIClient_EndpointWithUserInformation_FailsWithoutRepeatingIt()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var services = new ServiceCollection();
        services.AddOpenAIClient(settings => settings.Endpoint = new Uri($"https://user:{password}@proxy.example/v1"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(Options.DefaultName);

        var thrown = act.Should().Throw<OptionsValidationException>().WithMessage("*contains user information*").Which;
        thrown.ShouldNotContainSecrets(password);
    }

    [Theory]
    [InlineData("http://openai-proxy.example/v1")]
    [InlineData("http://10.0.0.7:8080/v1/")]
    public void AddOpenAIClient_PlainHttpEndpointOnAnotherMachine_FailsValidationNamingTheFix(string endpoint)
    {
        var services = new ServiceCollection();
        services.AddOpenAIClient(settings => settings.Endpoint = new Uri(endpoint));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<OpenAIClientSettings>>().Get(Options.DefaultName);

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*Endpoint of the default OpenAI client uses plain http to another machine*unencrypted*https*");
    }

    [Theory]
    [InlineData("http://127.0.0.1:{0}/v1/")]
    [InlineData("http://localhost:{0}/v1/")]
    [InlineData("http://[::1]:{0}/v1/")]
    public async Task AddOpenAIClient_PlainHttpEndpointOnThisMachine_IsAcceptedWithoutAWarning(string endpoint)
    {
        await using var context = await OpenAITestContext.StartAsync(settings => settings.Endpoint = new Uri(string.Format(CultureInfo.InvariantCulture, endpoint, 1)));

        _ = context.Client;

        context.Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public void AddMethods_InvalidArguments_Throw()
    {
        var services = new ServiceCollection();

        FluentActions.Invoking(() => OpenAIClientServiceCollectionExtensions.AddOpenAIClient(null!)).Should().Throw<ArgumentNullException>().WithParameterName("services");
        FluentActions.Invoking(() => services.AddOpenAIClient((Action<OpenAIClientSettings>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("configure");
        FluentActions.Invoking(() => services.AddOpenAIClient((IConfiguration)null!)).Should().Throw<ArgumentNullException>().WithParameterName("configuration");
        FluentActions.Invoking(() => services.AddKeyedOpenAIClient(" ")).Should().Throw<ArgumentException>().WithParameterName("providerName");
        FluentActions.Invoking(() => services.AddOpenAIChatClient("")).Should().Throw<ArgumentException>().WithParameterName("model");
        FluentActions.Invoking(() => services.AddKeyedOpenAIChatClient("analytics", "")).Should().Throw<ArgumentException>().WithParameterName("model");
        FluentActions.Invoking(() => services.AddOpenAIEmbeddingClient(null!)).Should().Throw<ArgumentNullException>().WithParameterName("model");
        FluentActions.Invoking(() => services.AddKeyedOpenAIEmbeddingClient(null!, "m")).Should().Throw<ArgumentNullException>().WithParameterName("providerName");
    }

    private static IConfiguration Json(string json)
        => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static IHost BuildHost(Action<IServiceCollection> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var source = new MutableKeySource();
        source.SetValue(OpenAITestContext.Key1);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        builder.Services.AddOpenAIKeyProvider().AddSource(source);
        configure(builder.Services);
        return builder.Build();
    }

    /// <summary>A consumer of two OpenAI projects, as an application would write it.</summary>
    public sealed class TwoProjects([FromKeyedServices("analytics")] IChatClient analytics, IChatClient main)
    {
        public IChatClient Analytics { get; } = analytics;

        public IChatClient Main { get; } = main;
    }
}
