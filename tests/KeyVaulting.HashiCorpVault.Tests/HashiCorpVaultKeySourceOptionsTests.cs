using KeyVaulting.HashiCorpVault.Internal.Auth;

namespace KeyVaulting.HashiCorpVault.Tests;

public sealed class HashiCorpVaultKeySourceOptionsTests
{
    [Fact]
    public void Constructor_Defaults_FollowTheVaultCli()
    {
        var options = new HashiCorpVaultKeySourceOptions();

        options.Address.Should().BeNull("VAULT_ADDR is read when the source is created");
        options.Namespace.Should().BeNull();
        options.MountPoint.Should().Be("secret");
        options.KvVersion.Should().Be(2);
        options.JsonField.Should().Be("api_key");
        options.Version.Should().BeNull();
        options.CaCertificatePath.Should().BeNull();
        options.SkipTlsVerify.Should().BeFalse();
        options.Auth.Should().BeOfType<TokenAuthMethod>().Which.Source.Description.Should().Be("VAULT_TOKEN or ~/.vault-token");
    }

    [Fact]
    public void UseAppRole_SecretIdFile_SetsAppRoleAtTheDefaultMount()
    {
        var options = new HashiCorpVaultKeySourceOptions().UseAppRole("role-id", secretIdFile: "/run/secrets/secret-id");

        var auth = options.Auth.Should().BeOfType<AppRoleAuthMethod>().Subject;
        auth.MountPath.Should().Be("approle");
        auth.SecretId.Description.Should().Be("the file /run/secrets/secret-id");
    }

    [Fact]
    public void UseAppRole_NeitherFileNorVariable_ThrowsSayingGiveExactlyOne()
    {
        var action = () => new HashiCorpVaultKeySourceOptions().UseAppRole("role-id");

        action.Should().Throw<ArgumentException>().WithMessage("Give exactly one of secretIdFile*");
    }

    [Fact]
    public void UseAppRole_BothFileAndVariable_Throws()
    {
        var action = () => new HashiCorpVaultKeySourceOptions().UseAppRole("role-id", "/run/secrets/secret-id", "VAULT_SECRET_ID");

        action.Should().Throw<ArgumentException>().WithParameterName("secretIdVariable");
    }

    [Fact]
    public void UseKubernetes_Defaults_UsesThePodsServiceAccountTokenAndTheKubernetesMount()
    {
        var options = new HashiCorpVaultKeySourceOptions().UseKubernetes("openai-reader");

        var auth = options.Auth.Should().BeOfType<KubernetesAuthMethod>().Subject;
        auth.Jwt.Description.Should().Be("the file /var/run/secrets/kubernetes.io/serviceaccount/token");
        auth.MountPath.Should().Be("kubernetes");
        auth.Role.Should().Be("openai-reader");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void UseToken_Empty_Throws(string token)
    {
        var action = () => new HashiCorpVaultKeySourceOptions().UseToken(token);

        action.Should().Throw<ArgumentException>().WithParameterName("token");
    }

    [Fact]
    public void UseToken_LastCallWins()
    {
        var options = new HashiCorpVaultKeySourceOptions().UseKubernetes("role").UseTokenFile("/vault/agent/token");

        options.Auth.Should().BeOfType<TokenAuthMethod>().Which.Source.Description.Should().Be("the file /vault/agent/token");
    }
}
