using KeyVaulting.HashiCorpVault.Internal;
using KeyVaulting.HashiCorpVault.Internal.Validators;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Internal;

/// <summary>Settings completed from the Vault CLI's environment variables and checked with clear messages.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class VaultSourceSettingsTests : IDisposable
{
    private readonly EnvironmentScope _environment = new();

    public void Dispose() => _environment.Dispose();

    [Fact]
    public void Resolve_UnsetSettings_ComeFromTheVaultCliVariables()
    {
        _environment.Set("VAULT_ADDR", "https://vault.example.test:8200")
            .Set("VAULT_NAMESPACE", "admin/team-ai/")
            .Set("VAULT_CACERT", "/etc/vault/ca.pem");

        var settings = VaultSourceSettings.Resolve(new HashiCorpVaultKeySourceOptions { Path = "openai" });

        settings.Address.Should().Be(new Uri("https://vault.example.test:8200"));
        settings.Namespace.Should().Be("admin/team-ai");
        settings.CaCertificatePath.Should().Be("/etc/vault/ca.pem");
        settings.SecretPath.Should().Be("secret/data/openai");
        settings.SourceName.Should().Be("HashiCorpVault:secret/openai");
    }

    [Fact]
    public void Resolve_ExplicitSettings_WinOverTheVariables()
    {
        _environment.Set("VAULT_ADDR", "https://other.example.test").Set("VAULT_NAMESPACE", "other");

        var settings = VaultSourceSettings.Resolve(new HashiCorpVaultKeySourceOptions
        {
            Path = "openai",
            Address = new Uri("https://vault.example.test"),
            Namespace = "mine",
        });

        settings.Address.Host.Should().Be("vault.example.test");
        settings.Namespace.Should().Be("mine");
    }

    [Fact]
    public void Resolve_EmptyNamespaceAndCaPath_IgnoreTheVariables()
    {
        _environment.Set("VAULT_NAMESPACE", "team-ai").Set("VAULT_CACERT", "/etc/vault/ca.pem");

        var settings = VaultSourceSettings.Resolve(new HashiCorpVaultKeySourceOptions
        {
            Path = "openai",
            Address = new Uri("https://vault.example.test"),
            Namespace = string.Empty,
            CaCertificatePath = string.Empty,
        });

        settings.Namespace.Should().BeNull();
        settings.CaCertificatePath.Should().BeNull();
    }

    [Fact]
    public void Resolve_NoAddressAnywhere_ThrowsNamingVaultAddr()
    {
        var action = () => VaultSourceSettings.Resolve(new HashiCorpVaultKeySourceOptions { Path = "openai" });

        action.Should().Throw<InvalidOperationException>()
            .WithMessage("HashiCorpVault:secret/openai is not configured correctly: no Vault address: set Address, or the VAULT_ADDR environment variable*");
    }

    [Fact]
    public void Resolve_VaultAddrNotAnAddress_ThrowsWithoutRepeatingIt()
    {
        _environment.Set("VAULT_ADDR", "vault-without-scheme:8200/secret-looking-value");

        var action = () => VaultSourceSettings.Resolve(new HashiCorpVaultKeySourceOptions { Path = "openai" });

        action.Should().Throw<InvalidOperationException>()
            .WithMessage("*the VAULT_ADDR environment variable is not an absolute http:// or https:// address*")
            .Which.Message.Should().NotContain("secret-looking-value");
    }

    [Fact]
    public void Resolve_VaultAddrWithUserInformation_ThrowsWithoutRepeatingIt()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        _environment.Set("VAULT_ADDR", $"https://vault-admin:{password}@vault.example.test:8200");

        var action = () => VaultSourceSettings.Resolve(new HashiCorpVaultKeySourceOptions { Path = "openai" });

        action.Should().Throw<InvalidOperationException>()
            .WithMessage("*the VAULT_ADDR environment variable contains user information (user:password@)*")
            .Which.Message.Should().NotContain(password).And.NotContain("vault-admin");
    }

    [Fact]
    public void Validate_EverySettingWrong_ListsThemAll()
    {
        var problems = Problems(new HashiCorpVaultKeySourceOptions
        {
            Path = "../openai",
            MountPoint = " ",
            KvVersion = 1,
            JsonField = "",
            Version = 0,
            Address = new Uri("ftp://vault.example.test"),
        });

        problems.Should().HaveCount(6);
        problems.Should().Contain(p => p.StartsWith("The secret path is not usable: it has a '.' or '..' segment", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("MountPoint is not usable: it is empty", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("JsonField is empty", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Version must be 1 or more", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Version is set but KvVersion is 1", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Address must be an absolute http:// or https:// address", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_KvVersion3_SaysOneOrTwo()
    {
        Problems(new HashiCorpVaultKeySourceOptions { Path = "openai", KvVersion = 3 })
            .Should().ContainSingle().Which.Should().StartWith("KvVersion must be 1 or 2");
    }

    private static List<string> Problems(HashiCorpVaultKeySourceOptions options)
        => HashiCorpVaultKeySourceOptionsCustomValidator.Instance.Validate(null, options).Failures?.ToList() ?? [];
}
