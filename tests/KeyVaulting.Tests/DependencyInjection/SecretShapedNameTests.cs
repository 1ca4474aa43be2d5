using System.Text;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KeyVaulting.Tests.DependencyInjection;

/// <summary>
/// A key given where a name is expected (the value pasted instead of the variable's name) is refused when it is
/// registered, with a message that does not repeat it: a name goes into logs, metric tags, activity tags, health
/// entries and error messages.
/// </summary>
public sealed class SecretShapedNameTests
{
    private static readonly string Key = TestKeys.Project('K');

    [Fact]
    public void AddEnvironmentVariable_KeyGivenAsTheVariableName_ThrowsWithoutRepeatingIt()
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddEnvironmentVariable(Key);

        var error = act.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be("variable");
        error.Message.Should().Contain("looks like an API key").And.Contain("OPENAI_API_KEY");
        error.ShouldNotContainSecrets(Key, Key[8..20]);
    }

    [Theory]
    [InlineData("Variable")]
    [InlineData("Path")]
    public void AddDotEnvFile_KeyGivenAsVariableOrPath_ThrowsWithoutRepeatingIt(string setting)
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => setting == "Variable" ? builder.AddDotEnvFile(".env", Key) : builder.AddDotEnvFile(Key);

        var error = act.Should().Throw<ArgumentException>().Which;
        error.Message.Should().Contain($"DotEnvFileKeySourceOptions.{setting}").And.Contain("looks like an API key");
        error.ShouldNotContainSecrets(Key, Key[8..20]);
    }

    [Theory]
    [InlineData("EnvironmentVariable", "Variable")]
    [InlineData("DotEnvFile", "Variable")]
    [InlineData("DotEnvFile", "Path")]
    public async Task StartAsync_KeyConfiguredAsASourceSetting_FailsNamingTheSettingWithoutRepeatingIt(string type, string setting)
    {
        var json = $$"""{ "KeyVaulting": { "Sources": { "Main": { "Type": "{{type}}", "{{setting}}": "{{Key}}" } } } }""";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOpenAIKeyProvider(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("KeyVaulting"));
        using var host = builder.Build();

        var act = () => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var error = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        error.Message.Should().Contain($"KeyVaulting:Sources:Main:{setting}").And.Contain("looks like an API key");
        error.ShouldNotContainSecrets(Key, Key[8..20]);
    }

    [Fact]
    public void AddOpenAIKeyProvider_KeyGivenAsTheProviderName_ThrowsWithoutRepeatingIt()
    {
        var act = () => new ServiceCollection().AddOpenAIKeyProvider(Key);

        var error = act.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be("name");
        error.ShouldNotContainSecrets(Key, Key[8..20]);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("Default")]
    public void AddOpenAIKeyProvider_NamedDefault_ThrowsBecauseTheDefaultProviderGoesByThatName(string name)
    {
        var act = () => new ServiceCollection().AddOpenAIKeyProvider(name, o => o.LoadOnStartup = false);

        act.Should().Throw<ArgumentException>().WithParameterName("name")
            .Which.Message.Should().Contain("'default'").And.Contain("AddOpenAIKeyProvider()");
    }

    [Fact]
    public void AddHealthChecks_KeyGivenAsTheProviderName_ThrowsWithoutRepeatingIt()
    {
        var act = () => new ServiceCollection().AddHealthChecks().AddOpenAIKeyProvider(providerName: Key);

        act.Should().Throw<ArgumentException>().Which.ShouldNotContainSecrets(Key, Key[8..20]);
    }

    [Fact]
    public void AddSource_SourceWhoseNameHoldsAKey_ThrowsWithoutRepeatingIt()
    {
        var builder = new ServiceCollection().AddOpenAIKeyProvider();

        var act = () => builder.AddSource(new MutableKeySource("Custom:" + Key));

        var error = act.Should().Throw<ArgumentException>().Which;
        error.Message.Should().Contain(nameof(MutableKeySource)).And.Contain("looks like an API key");
        error.ShouldNotContainSecrets(Key, Key[8..20]);
    }

    [Fact]
    public void GetService_SourceCreatedWithANameThatHoldsAKey_ThrowsWithoutRepeatingIt()
    {
        var services = new ServiceCollection();
        services.AddOpenAIKeyProvider("analytics").AddEnvironmentVariable().AddSource(_ => new MutableKeySource("Custom:" + Key));
        using var sp = services.BuildServiceProvider();

        var act = () => sp.GetRequiredKeyedService<IOpenAIKeyProvider>("analytics");

        var error = act.Should().Throw<InvalidOperationException>().Which;
        error.Message.Should().Contain("Source 2 of OpenAI key provider 'analytics'").And.Contain(nameof(MutableKeySource));
        error.ShouldNotContainSecrets(Key, Key[8..20]);
    }
}
