using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyVaulting.HashiCorpVault.Tests;

/// <summary>Configuration (<c>Type: HashiCorpVault</c>): the same settings, with credentials only named, never given.</summary>
public sealed class HashiCorpVaultKeySourceFactoryTests : IAsyncLifetime
{
    private const string Section = "KeyVaulting:Sources:Vault";
    private static readonly string Key = TestKeys.Project('F');
    private readonly List<IDisposable> _sources = [];
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await VaultTestHost.StartAsync();
        _host.Vault.EnableKv();
        _host.Vault.PutKey("openai", Key);
    }

    public async Task DisposeAsync()
    {
        _sources.ForEach(s => s.Dispose());
        await _host.DisposeAsync();
    }

    [Fact]
    public void TypeName_IsHashiCorpVault() => new HashiCorpVaultKeySourceFactory().TypeName.Should().Be("HashiCorpVault");

    [Fact]
    public async Task AddOpenAIKeyProvider_ConfigurationAloneSelectsHashiCorpVault_ServesTheKey()
    {
        _host.Vault.EnableAppRole();
        var (roleId, secretId) = _host.Vault.AddAppRole(new TokenPolicy { Read = ["secret/data/openai"] });
        var secretIdFile = _host.Files.Write("secret-id", secretId);
        var configuration = Configuration(new()
        {
            ["KeyVaulting:Chain"] = "Vault",
            [$"{Section}:Type"] = "HashiCorpVault",
            [$"{Section}:Address"] = _host.Server.Address.ToString(),
            [$"{Section}:Path"] = "openai",
            [$"{Section}:AuthMethod"] = "AppRole",
            [$"{Section}:RoleId"] = roleId,
            [$"{Section}:SecretIdFile"] = secretIdFile,
        });

        // No AddHashiCorpVault call: the core finds the factory by its name.
        var services = _host.BuildServices(s => s.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting")));
        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(Key);
        key.Source.Should().Be("HashiCorpVault:secret/openai");
        key.Version.Should().Be("1");
        _host.ShouldNotLeakSecrets(more: roleId);
    }

    [Fact]
    public async Task AddOpenAIKeyProvider_ConfigurationAloneWithHttpClientFactoryAndTraceLogging_UsesItsOwnClientAndLogsNoToken()
    {
        var token = _host.Vault.CreateToken(new TokenPolicy { Read = ["secret/data/openai"] });
        var configuration = Configuration(new()
        {
            ["KeyVaulting:Chain"] = "Vault",
            [$"{Section}:Type"] = "HashiCorpVault",
            [$"{Section}:Address"] = _host.Server.Address.ToString(),
            [$"{Section}:Path"] = "openai",
            [$"{Section}:TokenFile"] = _host.Files.Write("vault-token", token),
        });

        // The app's factory has the default request logging, which would log X-Vault-Token raw at Trace.
        var services = _host.BuildServices(s =>
        {
            s.AddHttpClient();
            s.AddOpenAIKeyProvider(configuration.GetSection("KeyVaulting"));
        });
        var key = await services.GetRequiredService<IOpenAIKeyProvider>().GetKeyAsync();

        key.Value.Should().Be(Key);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 303 && r.Message.Contains("its own HttpClient"));
        _host.Logs.ShouldNotContainSecrets(token, Key);
    }

    [Fact]
    public async Task Create_KubernetesSettings_LogsInAtTheConfiguredMountWithTheJwtFile()
    {
        _host.Vault.EnableKubernetes("k8s");
        var jwt = _host.Vault.AddKubernetesRole("openai-reader", new TokenPolicy(), mount: "k8s");
        var source = CreateSource(new()
        {
            ["Path"] = "openai",
            ["AuthMethod"] = "kubernetes",
            ["Role"] = "openai-reader",
            ["JwtPath"] = _host.Files.Write("jwt", jwt),
            ["AuthMountPath"] = "k8s",
        });

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Requests.Should().Contain(r => r.Path == "auth/k8s/login");
    }

    [Fact]
    public async Task Create_EveryKvSetting_IsApplied()
    {
        _host.Vault.EnableKv("team", ns: "ai");
        _host.Vault.PutKv2("team", "prod/openai", new Dictionary<string, object?> { ["key"] = TestKeys.Numbered(1) }, ns: "ai");
        _host.Vault.PutKv2("team", "prod/openai", new Dictionary<string, object?> { ["key"] = TestKeys.Numbered(2) }, ns: "ai");
        var token = _host.Vault.CreateToken();
        var source = CreateSource(new()
        {
            ["Path"] = "prod/openai",
            ["Namespace"] = "ai",
            ["MountPoint"] = "team",
            ["KvVersion"] = "2",
            ["JsonField"] = "key",
            ["Version"] = "1",
            ["TokenFile"] = _host.Files.Write("token", token),
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(TestKeys.Numbered(1));
        source.Name.Should().Be("HashiCorpVault:team/prod/openai");
        _host.Server.Requests.Should().Contain(r => r.Path == "team/data/prod/openai" && r.Query == "?version=1" && r.Namespace == "ai");
    }

    [Fact]
    public async Task Create_TokenVariableUnset_FetchNamesTheVariable()
    {
        var source = CreateSource(new() { ["Path"] = "openai", ["TokenVariable"] = "KEYVAULTING_TEST_UNSET_TOKEN" });

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("the environment variable KEYVAULTING_TEST_UNSET_TOKEN is not set");
    }

    [Theory]
    [InlineData("Token")]
    [InlineData("SecretId")]
    [InlineData("Jwt")]
    public void Create_CredentialValueInConfiguration_ThrowsWithoutRepeatingIt(string setting)
    {
        var value = "test-credential-" + Guid.NewGuid();

        var action = () => CreateSource(new() { ["Path"] = "openai", [setting] = value });

        var exception = action.Should().Throw<InvalidOperationException>()
            .WithMessage($"Configuration '{Section}:{setting}' would put a Vault credential in configuration, which KeyVaulting never reads.*TokenVariable or TokenFile*").Which;
        exception.ShouldNotContainSecrets(value);
    }

    [Fact]
    public void Create_MisspelledSetting_ThrowsNamingItAndTheValidOnes()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["Mount"] = "kv" });

        action.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' has unknown setting(s) 'Mount'. Valid settings are: *MountPoint*");
    }

    [Fact]
    public void Create_UnknownAuthMethod_ListsTheValidOnes()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["AuthMethod"] = "LDAP" });

        action.Should().Throw<InvalidOperationException>().WithMessage("*AuthMethod must be one of Token, AppRole, Kubernetes*");
    }

    [Fact]
    public void Create_SettingOfAnotherAuthMethod_ThrowsNamingIt()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["RoleId"] = "role-id" });

        action.Should().Throw<InvalidOperationException>().WithMessage("*RoleId does not apply to AuthMethod Token*");
    }

    [Fact]
    public void Create_AppRoleWithoutSecretId_ThrowsSayingWhereItMayComeFrom()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["AuthMethod"] = "AppRole", ["RoleId"] = "role-id" });

        action.Should().Throw<InvalidOperationException>().WithMessage("*needs exactly one of SecretIdVariable*and SecretIdFile*");
    }

    [Fact]
    public void Create_KubernetesWithoutRole_Throws()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["AuthMethod"] = "Kubernetes" });

        action.Should().Throw<InvalidOperationException>().WithMessage("*AuthMethod Kubernetes needs Role*");
    }

    [Fact]
    public void Create_VersionWithKvVersion1_ThrowsSayingOnlyKvV2HasVersions()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["KvVersion"] = "1", ["Version"] = "3" });

        action.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' is invalid: Version is set but KvVersion is 1*");
    }

    [Fact]
    public void Create_KvVersionOutOfRange_FailsValidation()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["KvVersion"] = "3" });

        action.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' is invalid: KvVersion must be 1 or 2*");
    }

    [Fact]
    public void Create_PathMissing_FailsValidation()
    {
        var action = () => CreateSource(new() { ["JsonField"] = "api_key" });

        action.Should().Throw<InvalidOperationException>().WithMessage($"Invalid configuration: {Section}:Path:*");
    }

    [Fact]
    public void Create_AddressNotAUri_ThrowsNamingTheSetting()
    {
        var action = () => CreateSource(new() { ["Path"] = "openai", ["Address"] = "not a uri" }, address: false);

        action.Should().Throw<InvalidOperationException>().WithMessage($"Configuration '{Section}' is invalid: Address must be an absolute http:// or https:// address*");
    }

    [Fact]
    public void Create_AddressWithUserInformation_ThrowsWithoutRepeatingIt()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");

        var action = () => CreateSource(new() { ["Path"] = "openai", ["Address"] = $"https://vault-admin:{password}@vault.example.test:8200" }, address: false);

        var exception = action.Should().Throw<InvalidOperationException>().WithMessage("*Address contains user information (user:password@)*").Which;
        exception.ShouldNotContainSecrets(password, "vault-admin");
        _host.Logs.ShouldNotContainSecrets(password, "vault-admin");
    }

    [Fact]
    public void Create_PlainHttpToAnotherHost_WarnsThatSecretsCrossTheNetworkUnencrypted()
    {
        using var source = HashiCorpVaultKeySourceFactory.Create(new HashiCorpVaultKeySourceOptions { Path = "openai", Address = new Uri("http://vault.example.test:8200") }, _host.Services);

        _host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 301)
            .Which.Message.Should().Contain("http://vault.example.test:8200/").And.Contain("unencrypted");
    }

    [Fact]
    public void Create_PlainHttpToLoopback_DoesNotWarn()
    {
        using var source = HashiCorpVaultKeySourceFactory.Create(new HashiCorpVaultKeySourceOptions { Path = "openai", Address = _host.Server.Address }, _host.Services);

        _host.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 301, "a dev server or a local Vault Agent listens on loopback");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private IOpenAIKeySource CreateSource(Dictionary<string, string?> settings, bool address = true)
    {
        var values = settings.ToDictionary(p => $"{Section}:{p.Key}", p => p.Value);
        values[$"{Section}:Type"] = "HashiCorpVault";
        if (address && !settings.ContainsKey("Address"))
        {
            values[$"{Section}:Address"] = _host.Server.Address.ToString();
        }

        var section = Configuration(values).GetSection(Section);
        var source = new HashiCorpVaultKeySourceFactory().Create(new OpenAIKeySourceFactoryContext(string.Empty, section, _host.Services));
        _sources.Add((IDisposable)source);
        return source;
    }
}
