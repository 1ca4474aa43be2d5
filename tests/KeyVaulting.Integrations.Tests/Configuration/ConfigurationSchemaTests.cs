using System.Text.Json.Nodes;
using KeyVaulting.Testing;

namespace KeyVaulting.Integrations.Tests.Configuration;

/// <summary>
/// Each package's shipped <c>ConfigurationSchema.json</c> is exactly what the options types generate, so IntelliSense
/// for <c>appsettings.json</c> cannot drift from what the binder accepts. After changing an options type, regenerate
/// the files with <c>KEYVAULTING_UPDATE_SCHEMAS=1 dotnet test tests/KeyVaulting.Integrations.Tests -f net10.0 --filter
/// FullyQualifiedName~ConfigurationSchemaTests</c> and review the diff.
/// </summary>
public sealed class ConfigurationSchemaTests
{
    private const string UpdateVariable = "KEYVAULTING_UPDATE_SCHEMAS";

    public static TheoryData<string> Packages() => [.. ConfigurationSchemas.Packages];

    [Theory]
    [MemberData(nameof(Packages))]
    public void ConfigurationSchema_Shipped_IsWhatTheOptionsTypesGenerate(string package)
    {
        var path = Path.Combine(Fixtures.RepositoryRoot, "src", package, "ConfigurationSchema.json");
        var generated = ConfigurationSchemaGenerator.Write(ConfigurationSchemas.For(package));

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, generated);
        }

        File.Exists(path).Should().BeTrue("{0} ships {1}", package, path);
        File.ReadAllText(path).ReplaceLineEndings("\n").Should().Be(
            generated,
            "src/{0}/ConfigurationSchema.json must match its options types; regenerate it with {1}=1 (see this class's summary)",
            package,
            UpdateVariable);
    }

    [Fact]
    public void ConfigurationSchema_Packing_EveryLibraryWithASchemaPacksItWithTheTargetsThatRegisterIt()
    {
        var props = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "src", "Directory.Build.props"));
        var targets = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "eng", "ConfigurationSchema.targets"));
        var shipping = Directory.EnumerateFiles(Path.Combine(Fixtures.RepositoryRoot, "src"), "ConfigurationSchema.json", SearchOption.AllDirectories)
            .Select(f => Path.GetFileName(Path.GetDirectoryName(f)!));

        shipping.Should().BeEquivalentTo(ConfigurationSchemas.Packages, "every package's schema is generated and checked here");
        props.Should().Contain("<None Include=\"ConfigurationSchema.json\" Pack=\"true\" PackagePath=\"/\" />")
            .And.Contain("PackagePath=\"buildTransitive/$(PackageId).targets\"");
        targets.Should().Contain("<JsonSchemaSegment Include=\"$(MSBuildThisFileDirectory)../ConfigurationSchema.json\" FilePathPattern=\"appsettings\\..*json\" />");
    }

    [Fact]
    public void ConfigurationSchema_Core_DescribesEverySettingTheReadmeDocuments()
    {
        var schema = ConfigurationSchemas.For("KeyVaulting");
        var keyVaulting = schema["properties"]!["KeyVaulting"]!["properties"]!.AsObject();
        var openAI = schema["properties"]!["OpenAI"]!["properties"]!.AsObject();
        var source = schema["properties"]!["KeyVaulting"]!["properties"]!["Sources"]!["additionalProperties"]!["properties"]!.AsObject();

        keyVaulting.Select(p => p.Key).Should().BeEquivalentTo(
            ["RefreshInterval", "MinimumRefreshInterval", "InitialRetryDelay", "MaxStaleness", "SourceTimeout", "LoadOnStartup", "Chain", "Sources"]);
        openAI.Select(p => p.Key).Should().NotContain("Transport", "a transport is set in code; the binder refuses it in configuration")
            .And.Contain(["Endpoint", "OrganizationId", "ProjectId", "MaxRetries", "NetworkTimeout", "ValidateKeyOnStartup"]);
        source.Select(p => p.Key).Should().BeEquivalentTo(["Type", "Variable", "Path", "SearchParentDirectories"]);
        keyVaulting["RefreshInterval"]!["default"]!.GetValue<string>().Should().Be("00:05:00");
        openAI["MaxRetries"]!["maximum"]!.GetValue<double>().Should().Be(10);
        keyVaulting["RefreshInterval"]!["description"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace("descriptions come from the XML documentation");
    }

    [Fact]
    public void ConfigurationSchema_StoreSettingWithAnotherTypeElsewhere_IsDescribedWithoutAType()
    {
        var vault = ConfigurationSchemas.For("KeyVaulting.HashiCorpVault")["properties"]!["KeyVaulting"]!["properties"]!["Sources"]!["additionalProperties"]!["properties"]!.AsObject();
        var azure = ConfigurationSchemas.For("KeyVaulting.AzureKeyVault")["properties"]!["KeyVaulting"]!["properties"]!["Sources"]!["additionalProperties"]!["properties"]!.AsObject();

        vault["Version"]!.AsObject().ContainsKey("type").Should().BeFalse("HashiCorp Vault's Version is a number, Azure Key Vault's a string: the merged schema must accept both");
        azure["Version"]!.AsObject().ContainsKey("type").Should().BeFalse();
        vault["KvVersion"]!["type"]!.GetValue<string>().Should().Be("integer");
        azure["VaultUri"]!["description"]!.GetValue<string>().Should().StartWith("(AzureKeyVault) ");
    }

    [Fact]
    public void ConfigurationSchema_SampleSettings_UseOnlyDescribedSections()
    {
        var described = ConfigurationSchemas.Packages.SelectMany(p => ConfigurationSchemas.For(p)["properties"]!.AsObject().Select(s => s.Key)).ToHashSet();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Fixtures.RepositoryRoot, "samples", "KeyVaulting.Samples.AspNet"), "appsettings*.json"))
        {
            var settings = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var section in settings.Where(s => s.Key is "KeyVaulting" or "OpenAI"))
            {
                described.Should().Contain(section.Key);
                var schema = ConfigurationSchemas.Packages.Select(p => ConfigurationSchemas.For(p)["properties"]![section.Key]).OfType<JsonNode>().First();
                var known = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
                section.Value!.AsObject().Select(p => p.Key).Should().BeSubsetOf(known, "{0}'s {1} section uses only settings the schema describes", Path.GetFileName(file), section.Key);
            }
        }
    }
}
