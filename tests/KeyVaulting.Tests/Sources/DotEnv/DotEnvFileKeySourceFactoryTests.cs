using KeyVaulting.Sources.DotEnv;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.Tests.Sources.DotEnv;

public class DotEnvFileKeySourceFactoryTests
{
    [Fact]
    public void Create_AllSettings_BuildsTheSource()
    {
        var source = Create(new()
        {
            ["Type"] = "DotEnvFile",
            ["Path"] = "config/dev.env",
            ["Variable"] = "MY_KEY",
            ["SearchParentDirectories"] = "false",
        });

        source.Name.Should().Be("DotEnvFile:config/dev.env:MY_KEY");
    }

    [Fact]
    public void Create_NoSettings_UsesTheDefaults()
    {
        Create(new() { ["Type"] = "DotEnvFile" }).Name.Should().Be("DotEnvFile:.env:OPENAI_API_KEY");
    }

    [Fact]
    public void Create_InvalidVariable_ThrowsNamingTheSettingNotTheValue()
    {
        var act = () => Create(new() { ["Type"] = "DotEnvFile", ["Variable"] = "OPENAI API KEY" });

        var error = act.Should().Throw<InvalidOperationException>().Which;
        error.Message.Should().Be("Configuration 'KeyVaulting:Sources:Dev:Variable' is not a valid .env variable name: a name starts with a letter or '_' and has only letters, digits, '_', '.' and '-'.");
    }

    [Fact]
    public void Create_KeyPastedWhereTheVariableGoes_ThrowsNamingTheSettingNotTheValue()
    {
        var notAName = "sk proj " + TestKeys.Project('V'); // someone pasted the key where the name goes

        var act = () => Create(new() { ["Type"] = "DotEnvFile", ["Variable"] = notAName });

        var error = act.Should().Throw<InvalidOperationException>().Which;
        error.Message.Should().StartWith("Configuration 'KeyVaulting:Sources:Dev:Variable' looks like an API key");
        error.ShouldNotContainSecrets(TestKeys.Project('V'));
    }

    [Fact]
    public void Create_MisspeltSetting_ThrowsNamingIt()
    {
        var act = () => Create(new() { ["Type"] = "DotEnvFile", ["Pth"] = ".env" });

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("'KeyVaulting:Sources:Dev'").And.Contain("'Pth'");
    }

    [Fact]
    public void TypeName_IsDotEnvFile()
    {
        new DotEnvFileKeySourceFactory().TypeName.Should().Be("DotEnvFile");
    }

    private static IOpenAIKeySource Create(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => "KeyVaulting:Sources:Dev:" + kv.Key, kv => kv.Value))
            .Build();
        using var services = new ServiceCollection().BuildServiceProvider();
        return new DotEnvFileKeySourceFactory().Create(
            new OpenAIKeySourceFactoryContext(string.Empty, configuration.GetSection("KeyVaulting:Sources:Dev"), services));
    }
}
