using System.Text;
using KeyVaulting.Provider;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KeyVaulting.Tests.Configuration;

public class ConfigurationChainTests
{
    private const string BaseSettings = """
        {
          "KeyVaulting": {
            "RefreshInterval": "00:02:00",
            "Chain": "Env, DotEnv",
            "Sources": {
              "Env": { "Type": "EnvironmentVariable", "Variable": "OPENAI_API_KEY" },
              "DotEnv": { "Type": "DotEnvFile", "Path": ".env", "SearchParentDirectories": false }
            }
          }
        }
        """;

    [Fact]
    public void AddOpenAIKeyProvider_Configuration_BuildsChainAndOptions()
    {
        var provider = Build(BaseSettings);

        provider.Sources.Select(s => s.Name).Should().Equal("EnvironmentVariable:OPENAI_API_KEY", "DotEnvFile:.env:OPENAI_API_KEY");
        provider.Options.RefreshInterval.Should().Be(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void AddOpenAIKeyProvider_EnvironmentFileReplacesChain_NoStaleSourceRemains()
    {
        const string production = """
            {
              "KeyVaulting": {
                "Chain": "Prod",
                "Sources": { "Prod": { "Type": "EnvironmentVariable", "Variable": "OPENAI_API_KEY_PROD" } }
              }
            }
            """;

        var provider = Build(BaseSettings, production);

        provider.Sources.Select(s => s.Name).Should().Equal("EnvironmentVariable:OPENAI_API_KEY_PROD");
        provider.Options.RefreshInterval.Should().Be(TimeSpan.FromMinutes(2), "settings not overridden still layer");
    }

    [Fact]
    public void AddOpenAIKeyProvider_TypeOmitted_SourceKeyIsTheType()
    {
        const string settings = """{ "KeyVaulting": { "Sources": { "EnvironmentVariable": { "Variable": "K" } } } }""";

        Build(settings).Sources.Select(s => s.Name).Should().Equal("EnvironmentVariable:K");
    }

    [Fact]
    public void AddOpenAIKeyProvider_NoSourcesConfigured_UsesDefaultChain()
    {
        Build("""{ "KeyVaulting": { "RefreshInterval": "00:01:00" } }""").Sources.Should().HaveCount(2);
    }

    [Fact]
    public void AddOpenAIKeyProvider_ChainAsArray_FailsExplainingWhy()
    {
        var act = () => Build("""{ "KeyVaulting": { "Chain": [ "Env" ], "Sources": { "Env": { "Type": "EnvironmentVariable" } } } }""");

        act.Should().Throw<InvalidOperationException>().WithMessage("*KeyVaulting:Chain*comma-separated string*merges arrays by index*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_SeveralSourcesWithoutChain_FailsSuggestingOne()
    {
        var act = () => Build("""{ "KeyVaulting": { "Sources": { "A": { "Type": "EnvironmentVariable" }, "B": { "Type": "DotEnvFile" } } } }""");

        act.Should().Throw<InvalidOperationException>().WithMessage("*KeyVaulting:Chain*is not set*\"Chain\": \"A, B\"*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_ChainNamesUndefinedSource_FailsListingDefinedOnes()
    {
        var act = () => Build("""{ "KeyVaulting": { "Chain": "Vault", "Sources": { "Env": { "Type": "EnvironmentVariable" } } } }""");

        act.Should().Throw<InvalidOperationException>().WithMessage("*'Vault'*KeyVaulting:Sources:Vault*not defined*Defined sources: Env*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_UnknownType_FailsNamingKnownTypes()
    {
        var act = () => Build("""{ "KeyVaulting": { "Sources": { "S": { "Type": "GoogleSecretManager" } } } }""");

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*KeyVaulting:Sources:S*unknown source type 'GoogleSecretManager'*EnvironmentVariable*DotEnvFile*AzureKeyVault (package KeyVaulting.AzureKeyVault)*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_StoreTypeWhosePackageIsMissing_NamesThePackageToAdd()
    {
        // This test project references no store package, so the type cannot be loaded.
        var act = () => Build("""{ "KeyVaulting": { "Sources": { "S": { "Type": "HashiCorpVault", "Path": "openai" } } } }""");

        act.Should().Throw<InvalidOperationException>().WithMessage("*'HashiCorpVault'*dotnet add package KeyVaulting.HashiCorpVault*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_MisspeltSourceSetting_FailsNamingPathAndValidSettings()
    {
        var act = () => Build("""{ "KeyVaulting": { "Sources": { "Env": { "Type": "EnvironmentVariable", "Varaible": "X" } } } }""");

        act.Should().Throw<InvalidOperationException>().WithMessage("*KeyVaulting:Sources:Env*'Varaible'*Valid settings are: Type, Variable*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_MisspeltProviderSetting_FailsAtStartup()
    {
        var act = () => Build("""{ "KeyVaulting": { "RefreshIntervall": "00:01:00" } }""");

        act.Should().Throw<InvalidOperationException>().WithMessage("*KeyVaulting*'RefreshIntervall'*RefreshInterval*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_UnconvertibleValue_NamesSettingWithoutEchoingValue()
    {
        var secretLooking = TestKeys.Project('S');
        var act = () => Build($$"""{ "KeyVaulting": { "RefreshInterval": "{{secretLooking}}" } }""");

        var error = act.Should().Throw<InvalidOperationException>().WithMessage("*KeyVaulting:RefreshInterval*cannot be converted*").Which;
        error.ShouldNotContainSecrets(secretLooking);
    }

    [Theory]
    [InlineData("RefreshInterval", "-00:00:01")]
    [InlineData("MaxStaleness", "00:00:10")]
    [InlineData("SourceTimeout", "00:00:00")]
    public async Task StartAsync_InvalidConfiguredSetting_FailsNamingTheSetting(string setting, string value)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"KeyVaulting:{setting}"] = value,
            ["KeyVaulting:Sources:Env:Type"] = "EnvironmentVariable",
        });
        builder.Services.AddOpenAIKeyProvider(builder.Configuration.GetSection("KeyVaulting"));
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).WithMessage($"*Configuration 'KeyVaulting:{setting}': *");
    }

    [Fact]
    public void AddOpenAIKeyProvider_ChainStringInBaseFileAndArrayInEnvironmentFile_RefusesWithTheReason()
    {
        var builder = new ConfigurationBuilder();
        builder.AddInMemoryCollection(new Dictionary<string, string?> { ["KeyVaulting:Chain"] = "Env" });
        builder.AddInMemoryCollection(new Dictionary<string, string?> { ["KeyVaulting:Chain:0"] = "Vault" });
        var configuration = builder.Build();
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IOpenAIKeyProvider>();

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("Configuration 'KeyVaulting:Chain' is a string in one configuration source and an array in another*the array would be ignored*");
    }

    [Fact]
    public void AddOpenAIKeyProvider_NamedProviderFromConfiguration_HasItsOwnChain()
    {
        var configuration = Json("""
            { "Analytics": { "Sources": { "Env": { "Type": "EnvironmentVariable", "Variable": "ANALYTICS_KEY" } } } }
            """);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider("analytics", configuration.GetSection("Analytics"));
        using var sp = services.BuildServiceProvider();

        var provider = (OpenAIKeyProvider)sp.GetRequiredKeyedService<IOpenAIKeyProvider>("analytics");

        provider.Sources.Select(s => s.Name).Should().Equal("EnvironmentVariable:ANALYTICS_KEY");
    }

    [Fact]
    public void AddSourceFactory_CustomType_SelectableFromConfiguration()
    {
        var configuration = Json("""{ "KeyVaulting": { "Sources": { "Mine": { "Type": "Custom", "Label": "x" } } } }""");
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting")).AddSourceFactory<CustomFactory>();
        using var sp = services.BuildServiceProvider();

        var provider = (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();

        provider.Sources.Select(s => s.Name).Should().Equal("Memory:x");
    }

    [Fact]
    public void AddSourceFactory_CustomTypeBoundByReflection_SelectableFromConfiguration()
    {
        var configuration = Json("""{ "KeyVaulting": { "Sources": { "Mine": { "Type": "Custom", "Label": "y" } } } }""");
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting")).AddSourceFactory<ReflectionBoundFactory>();
        using var sp = services.BuildServiceProvider();

        var provider = (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();

        provider.Sources.Select(s => s.Name).Should().Equal("Memory:y");
    }

    [Fact]
    public void AddSourceFactory_CustomTypeBoundByReflectionWithATypo_RefusedNamingTheKeyAndTheValidSettings()
    {
        var configuration = Json("""{ "KeyVaulting": { "Sources": { "Mine": { "Type": "Custom", "Lable": "y" } } } }""");
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting")).AddSourceFactory<ReflectionBoundFactory>();
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredService<IOpenAIKeyProvider>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("KeyVaulting:Sources:Mine").And.Contain("'Lable'").And.Contain("Label");
    }

    private static OpenAIKeyProvider Build(params string[] jsonLayers)
    {
        var configuration = Json(jsonLayers);
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        var sp = services.BuildServiceProvider();
        return (OpenAIKeyProvider)sp.GetRequiredService<IOpenAIKeyProvider>();
    }

    private static IConfigurationRoot Json(params string[] jsonLayers)
    {
        var builder = new ConfigurationBuilder();
        foreach (var json in jsonLayers)
        {
            builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        }

        return builder.Build();
    }

    private sealed class CustomFactory : IOpenAIKeySourceFactory
    {
        public string TypeName => "Custom";

        public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
            => new MutableKeySource("Memory:" + context.Bind<CustomSettings>(static (c, o, b) => c.Bind(o, b)).Label);
    }

    /// <summary>A factory as most applications write one: <c>context.Bind&lt;TOptions&gt;()</c>, the reflection binder.</summary>
    private sealed class ReflectionBoundFactory : IOpenAIKeySourceFactory
    {
        public string TypeName => "Custom";

        public IOpenAIKeySource Create(OpenAIKeySourceFactoryContext context)
            => new MutableKeySource("Memory:" + context.Bind<CustomSettings>().Label);
    }

    private sealed class CustomSettings
    {
        public string Label { get; set; } = string.Empty;
    }
}
