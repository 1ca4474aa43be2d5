using KeyVaulting.Analyzers.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.Analyzers.Tests;

/// <summary>The analyzers over this repository: its own tests and samples generate their fake keys at run time.</summary>
public class RepositoryScanTests
{
    [Fact]
    public async Task Repository_SourcesSamplesTestsAndSettings_HoldNoKey()
    {
        var scan = await RepositoryScan.RunAsync(Fixtures.RepositoryRoot, "src", "samples", "tests");

        scan.SourceFiles.Should().BeGreaterThan(250, "every project's C# files are analyzed");
        scan.SettingsFiles.Should().BeGreaterThanOrEqualTo(6, "the ASP.NET sample's appsettings*.json and launchSettings.json are analyzed");
        scan.OtherJsonFiles.Should().BeGreaterThan(20, "the JSON fixtures under tests/fixtures are searched too");
        scan.Diagnostics.Where(d => d.Id is DiagnosticIds.HardCodedKey or DiagnosticIds.SettingsFileKey)
            .Select(RepositoryScan.Describe)
            .Should().BeEmpty();
        scan.KeysInOtherJson.Should().BeEmpty();
    }

    [Fact]
    public async Task RepositoryScan_TreeWithPlantedKeys_FindsEach()
    {
        // The same scan over a small tree with a key in code and one in settings, to show it would see them.
        var root = Directory.CreateTempSubdirectory("kv-scan-").FullName;
        try
        {
            var app = Directory.CreateDirectory(Path.Combine(root, "src", "App")).FullName;
            Directory.CreateDirectory(Path.Combine(app, "obj"));
            var key = SampleKeys.Project(9);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), $$"""class Program { const string Key = "{{key}}"; }""");
            await File.WriteAllTextAsync(Path.Combine(app, "appsettings.Development.json"), $$"""{ "OpenAI": { "ApiKey": "{{key}}" } }""");
            await File.WriteAllTextAsync(Path.Combine(app, "obj", "Copy.cs"), $$"""class Copy { const string Key = "{{key}}"; }""");
            await File.WriteAllTextAsync(Path.Combine(app, "fixture.json"), $$"""{ "authorization": "Bearer {{key}}" }""");

            var scan = await RepositoryScan.RunAsync(root, "src");

            scan.SourceFiles.Should().Be(1, "obj is build output");
            scan.Diagnostics.Select(d => d.Id).Should().BeEquivalentTo([DiagnosticIds.HardCodedKey, DiagnosticIds.SettingsFileKey]);
            scan.Diagnostics.Select(RepositoryScan.Describe).Should().OnlyContain(d => d.Contains("sk-proj-…0009") && !d.Contains(key));
            scan.KeysInOtherJson.Should().Equal(Path.Combine("src", "App", "fixture.json") + ": project key sk-proj-…0009");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
