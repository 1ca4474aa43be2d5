using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Http;

/// <summary>An HTTPS Vault whose certificate is issued by a private CA generated for the test.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class VaultTlsTests : IAsyncLifetime
{
    private static readonly string Key = TestKeys.Project('S');
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private VaultTestHost _host = null!;
    private EnvironmentScope _environment = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _environment = new EnvironmentScope();
        _host = await VaultTestHost.StartAsync(_ca.ServerCertificate);
        _token = _host.SeedKeyAndToken(Key);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _environment.Dispose();
        _ca.Dispose();
    }

    [Fact]
    public async Task FetchAsync_CaCertificatePath_TrustsVaultsPrivateCa()
    {
        var pem = _ca.WritePem(_host.Files.Path);
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(_token);
            o.CaCertificatePath = pem;
        });

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Address.Scheme.Should().Be("https");
    }

    [Fact]
    public async Task FetchAsync_VaultCacertVariable_TrustsVaultsPrivateCa()
    {
        _environment.Set("VAULT_CACERT", _ca.WritePem(_host.Files.Path));
        var source = _host.CreateSource("openai", o => o.UseToken(_token));

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
    }

    [Fact]
    public async Task FetchAsync_UntrustedCertificate_ThrowsNamingTheCaSetting()
    {
        var source = _host.CreateSource("openai", o => o.UseToken(_token));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("Could not establish a TLS connection to Vault")
            .And.Contain("CaCertificatePath (or the VAULT_CACERT environment variable)");
        _host.ShouldNotLeakSecrets(exception);
    }

    [Fact]
    public async Task FetchAsync_CaCertificateOfAnotherCa_IsRejected()
    {
        using var other = TestCertificateAuthority.Create();
        using var directory = new TemporaryDirectory();
        var pem = other.WritePem(directory.Path);
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(_token);
            o.CaCertificatePath = pem;
        });

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.Message.Should().Contain("Could not establish a TLS connection");
    }

    [Fact]
    public async Task FetchAsync_SkipTlsVerify_ConnectsAndWarnsLoudly()
    {
        var source = _host.CreateSource("openai", o =>
        {
            o.UseToken(_token);
            o.SkipTlsVerify = true;
        });

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        var warning = _host.Logs.GetSnapshot().Single(r => r.Id.Id == 300);
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("TLS certificate verification is DISABLED").And.Contain(_host.Server.Address.GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public async Task FetchAsync_VaultSkipVerifyVariable_IsIgnored()
    {
        _environment.Set("VAULT_SKIP_VERIFY", "true");
        var source = _host.CreateSource("openai", o => o.UseToken(_token));

        await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 302 && r.Message.Contains("VAULT_SKIP_VERIFY is set but"));
    }

    [Fact]
    public void Create_CaCertificateFileMissing_ThrowsNamingTheFile()
    {
        var missing = Path.Combine(_host.Files.Path, "missing-ca.pem");

        var action = () => _host.CreateSource("openai", o => o.CaCertificatePath = missing);

        action.Should().Throw<InvalidOperationException>()
            .WithMessage($"HashiCorpVault:secret/openai: CaCertificatePath (or the VAULT_CACERT environment variable) names a file that cannot be used: the file {missing} does not exist.*");
    }

    [Fact]
    public void Create_CaCertificateFileWithoutCertificate_ThrowsSayingSo()
    {
        var file = _host.Files.Write("not-a-ca.pem", "just text");

        var action = () => _host.CreateSource("openai", o => o.CaCertificatePath = file);

        action.Should().Throw<InvalidOperationException>().WithMessage("*holds no '-----BEGIN CERTIFICATE-----' block*");
    }
}
