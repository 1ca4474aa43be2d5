using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Tests.DependencyInjection;

public class OpenAIKeyProviderServiceCollectionExtensionsTests
{
    [Fact]
    public void AddOpenAIKeyProvider_NoSources_UsesEnvironmentVariableThenDotEnv()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider();
        using var sp = services.BuildServiceProvider();

        var provider = (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();

        provider.Sources.Select(s => s.Name).Should().Equal("EnvironmentVariable:OPENAI_API_KEY", "DotEnvFile:.env:OPENAI_API_KEY");
    }

    [Fact]
    public void AddOpenAIKeyProvider_SourcesAdded_FormChainInOrder()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider()
            .AddEnvironmentVariable("MY_KEY")
            .AddDotEnvFile("secrets/.env", "MY_KEY")
            .AddSource(new MutableKeySource("Memory:last"));
        using var sp = services.BuildServiceProvider();

        var provider = (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();

        provider.Sources.Select(s => s.Name).Should().Equal("EnvironmentVariable:MY_KEY", "DotEnvFile:secrets/.env:MY_KEY", "Memory:last");
    }

    [Fact]
    public void AddOpenAIKeyProvider_IsSingleton_AndCalledTwiceExtendsSameChain()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(new MutableKeySource("Memory:one"));
        services.AddOpenAIKeyProvider().AddSource(new MutableKeySource("Memory:two"));
        using var sp = services.BuildServiceProvider();

        var first = sp.GetRequiredService<IOpenAIKeyProvider>();
        using var scope = sp.CreateScope();

        scope.ServiceProvider.GetRequiredService<IOpenAIKeyProvider>().Should().BeSameAs(first);
        ((OpenAIKeyProvider)first).Sources.Select(s => s.Name).Should().Equal("Memory:one", "Memory:two");
        services.Count(d => d.ServiceType == typeof(IOpenAIKeyProvider)).Should().Be(1);
    }

    [Fact]
    public void AddOpenAIKeyProvider_SameConfigurationSectionTwice_WarnsOnceNamingTheDuplicateSource()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyVaulting:Sources:Env:Type"] = "EnvironmentVariable",
            ["KeyVaulting:Sources:Env:Variable"] = "MY_OPENAI_KEY",
        }).Build();
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        using var sp = services.BuildServiceProvider();

        _ = sp.GetRequiredService<IOpenAIKeyProvider>();

        sp.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning)
            .Which.Message.Should().Contain("EnvironmentVariable:MY_OPENAI_KEY 2 times").And.Contain("called more than once");
    }

    [Fact]
    public void AddOpenAIKeyProvider_CalledTwiceWithDifferentSources_DoesNotWarn()
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddOpenAIKeyProvider().AddSource(new MutableKeySource("Memory:one"));
        services.AddOpenAIKeyProvider().AddSource(new MutableKeySource("Memory:two"));
        using var sp = services.BuildServiceProvider();

        _ = sp.GetRequiredService<IOpenAIKeyProvider>();

        sp.GetFakeLogCollector().GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AddOpenAIKeyProvider_NamedProviders_ResolveAsKeyedServicesWithOwnChains()
    {
        var analytics = new MutableKeySource("Memory:analytics");
        analytics.SetValue(TestKeys.Project('N'));
        var main = new MutableKeySource("Memory:main");
        main.SetValue(TestKeys.Project('M'));
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider().AddSource(main);
        services.AddOpenAIKeyProvider("analytics", o => o.RefreshInterval = TimeSpan.FromMinutes(1)).AddSource(analytics);
        await using var sp = services.BuildServiceProvider();

        var named = sp.GetRequiredKeyedService<IOpenAIKeyProvider>("analytics");
        var unnamed = sp.GetRequiredService<IOpenAIKeyProvider>();

        (await named.GetKeyAsync()).Value.Should().Be(TestKeys.Project('N'));
        (await unnamed.GetKeyAsync()).Value.Should().Be(TestKeys.Project('M'));
        ((OpenAIKeyProvider)named).Options.RefreshInterval.Should().Be(TimeSpan.FromMinutes(1));
        ((OpenAIKeyProvider)unnamed).Options.RefreshInterval.Should().Be(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task StartAsync_NoSourceHasKey_FailsStartupNamingEverySource()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var empty = new MutableKeySource("Memory:empty");
        empty.SetNotFound("no key stored");
        builder.Services.AddOpenAIKeyProvider().AddSource(empty);
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OpenAIKeyUnavailableException>()).WithMessage("*Memory:empty: not found (no key stored)*");
    }

    [Fact]
    public async Task StartAsync_LoadOnStartup_KeyIsLoadedBeforeTheAppRuns()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var source = new MutableKeySource();
        source.SetValue(TestKeys.Project());
        builder.Services.AddOpenAIKeyProvider().AddSource(source);
        using var host = builder.Build();

        await host.StartAsync();

        source.FetchCount.Should().Be(1);
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_LazyStart_StartsWithoutKeyAndLoadsOnFirstUse()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var source = new MutableKeySource();
        source.SetNotFound();
        builder.Services.AddOpenAIKeyProvider(o => o.LoadOnStartup = false).AddSource(source);
        using var host = builder.Build();

        await host.StartAsync();
        source.FetchCount.Should().Be(0);
        source.SetValue(TestKeys.Project());
        (await host.Services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync()).Value.Should().Be(TestKeys.Project());
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_FailsStartupNamingTheSetting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOpenAIKeyProvider(o =>
        {
            o.RefreshInterval = TimeSpan.FromSeconds(-1);
            o.MinimumRefreshInterval = TimeSpan.FromMinutes(10);
        }).AddSource(new MutableKeySource());
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>())
            .WithMessage("*RefreshInterval*");
    }

    [Fact]
    public async Task StopAsync_HostDisposed_ProviderTimerStops()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var source = new MutableKeySource();
        source.SetValue(TestKeys.Project());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddOpenAIKeyProvider().AddSource(source);
        var host = builder.Build();
        await host.StartAsync();
        var provider = (OpenAIKeyProvider)host.Services.GetRequiredService<IOpenAIKeyProvider>();

        await host.StopAsync();
        host.Dispose();
        time.Advance(TimeSpan.FromHours(1));

        source.FetchCount.Should().Be(1);
        provider.GetStatus().NextRefreshAt.Should().BeNull();
    }
}
