using KeyVaulting.Analyzers.Tests.Infrastructure;
using KeyVaulting.Analyzers.Internal;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace KeyVaulting.Analyzers.Tests;

public class SettingsFileKeyAnalyzerTests
{
    private static CSharpAnalyzerTest<SettingsFileKeyAnalyzer, DefaultVerifier> Test(params (string Path, string Text)[] files)
    {
        var test = Verify.Analyzer<SettingsFileKeyAnalyzer>("class C { }");
        foreach (var file in files)
        {
            test.TestState.AdditionalFiles.Add(file);
        }

        return test;
    }

    private static DiagnosticResult Kv0003(string path, int line, int column, string key, string kind = "project key")
        => new DiagnosticResult(Descriptors.SettingsFileKey)
            .WithSpan(path, line, column, line, column + key.Length)
            .WithArguments(Path.GetFileName(path), kind, new OpenAIKey(key, "test").Fingerprint);

    [Theory]
    [InlineData("appsettings.json")]
    [InlineData("appsettings.Development.json")]
    [InlineData("AppSettings.Production.JSON")]
    [InlineData("secrets.json")]
    public async Task SettingsFile_Key_ReportedAtItsLineAndColumn(string name)
    {
        var key = SampleKeys.Project();
        var json = $$"""
            {
              "OpenAI": {
                "ApiKey": "{{key}}"
              }
            }
            """;
        var test = Test((name, json));
        test.ExpectedDiagnostics.Add(Kv0003(name, 3, 16, key));

        await test.RunBoundedAsync();
    }

    [Fact]
    public async Task LaunchSettings_KeyInAnEnvironmentVariable_Reported()
    {
        var key = SampleKeys.ServiceAccount();
        var json = $$"""
            {
              "profiles": {
                "http": {
                  "commandName": "Project",
                  "environmentVariables": { "ASPNETCORE_ENVIRONMENT": "Development", "OPENAI_API_KEY": "{{key}}" }
                }
              }
            }
            """;
        var path = Path.Combine("Properties", "launchSettings.json");
        var test = Test((path, json));
        test.ExpectedDiagnostics.Add(Kv0003(path, 5, 93, key, "service account key"));

        await test.RunBoundedAsync();
    }

    [Fact]
    public async Task SettingsFile_KeyInAComment_Reported()
    {
        var key = SampleKeys.Admin();
        var json = $$"""
            {
              // old key: {{key}}
              "Logging": { }
            }
            """;
        var test = Test(("appsettings.json", json));
        test.ExpectedDiagnostics.Add(Kv0003("appsettings.json", 2, 15, key, "admin key"));

        await test.RunBoundedAsync();
    }

    [Fact]
    public async Task OtherFiles_NotReported()
    {
        // Only settings files: other JSON and text files are the tool's business (keyvaulting doctor).
        var key = SampleKeys.Project();
        await Test(
                ("config.json", $$"""{ "key": "{{key}}" }"""),
                ("settings.txt", key),
                ("appsettings.json.bak", key))
            .RunBoundedAsync();
    }

    [Fact]
    public async Task SettingsFile_PlaceholdersAndSourceSettings_NotReported()
    {
        var json = """
            {
              "OpenAI": { "ApiKey": "sk-proj-...", "Fingerprint": "sk-proj-…Xy3Q" },
              "KeyVaulting": {
                "Chain": [ "Env", "Vault" ],
                "Sources": { "Env": { "Type": "EnvironmentVariable", "Variable": "OPENAI_API_KEY" } }
              }
            }
            """;

        await Test(("appsettings.json", json)).RunBoundedAsync();
    }

    [Fact]
    public async Task SameFileListedTwice_ReportedOnce()
    {
        var key = SampleKeys.Project(3);
        var json = $$"""{ "ApiKey": "{{key}}" }""";

        var diagnostics = await AnalyzerRunner.RunAsync(
            [("Test0.cs", "class C { }")],
            [("/app/appsettings.json", json), ("/app/appsettings.json", json)],
            new SettingsFileKeyAnalyzer());

        diagnostics.Should().ContainSingle();
    }

    [Fact]
    public async Task Diagnostic_Message_NamesTheFileAndShowsFingerprintOnly()
    {
        var key = SampleKeys.User();
        var json = $$"""{ "OPENAI_API_KEY": "{{key}}" }""";

        var diagnostics = await AnalyzerRunner.RunAsync([("Test0.cs", "class C { }")], [("/app/secrets.json", json)], new SettingsFileKeyAnalyzer());

        var diagnostic = diagnostics.Should().ContainSingle().Subject;
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        message.Should().Contain("'secrets.json'").And.Contain("user key").And.Contain(new OpenAIKey(key, "test").Fingerprint)
            .And.Contain("uncommitted .env file");
        message.Should().NotContain(key).And.NotContain(key[3..15]);
        diagnostic.Location.GetLineSpan().Path.Should().Be("/app/secrets.json");
        diagnostic.Descriptor.HelpLinkUri.Should().EndWith("docs/analyzers.md#kv0003");
    }
}
