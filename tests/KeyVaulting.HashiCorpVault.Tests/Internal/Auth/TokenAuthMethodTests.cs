using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Auth;

/// <summary>Token auth: a token given in code or in a file, or the Vault CLI's VAULT_TOKEN then ~/.vault-token.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class TokenAuthMethodTests : IAsyncLifetime
{
    private static readonly string Key = TestKeys.Project('T');
    private VaultTestHost _host = null!;
    private EnvironmentScope _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = new EnvironmentScope();
        _host = await VaultTestHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _environment.Dispose();
    }

    [Fact]
    public async Task FetchAsync_GivenToken_ReadsTheKey()
    {
        var token = _host.SeedKeyAndToken(Key);
        var source = _host.CreateSource("openai", o => o.UseToken(token));

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_TokenFile_ReadsTheTrimmedToken()
    {
        var token = _host.SeedKeyAndToken(Key);
        var file = _host.Files.Write("vault-agent-sink", token + "\n");
        var source = _host.CreateSource("openai", o => o.UseTokenFile(file));

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Requests.Last().Token.Should().Be(token);
    }

    [Fact]
    public async Task FetchAsync_DefaultAuth_UsesVaultTokenVariable()
    {
        var token = _host.SeedKeyAndToken(Key);
        _environment.Set("VAULT_TOKEN", token).Set("HOME", _host.Files.Path);
        _host.Files.Write(".vault-token", "test-not-this-token-" + Guid.NewGuid());
        var source = _host.CreateSource("openai");

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Requests.Last().Token.Should().Be(token, "VAULT_TOKEN comes before ~/.vault-token, as in the Vault CLI");
        _host.ShouldNotLeakSecrets();
    }

    [Fact]
    public async Task FetchAsync_DefaultAuthWithoutVariable_UsesVaultTokenFileInHome()
    {
        var token = _host.SeedKeyAndToken(Key);
        _environment.Set("HOME", _host.Files.Path);
        _host.Files.Write(".vault-token", token);
        var source = _host.CreateSource("openai");

        (await source.FetchAsync(CancellationToken.None)).Value.Should().Be(Key);
        _host.Server.Requests.Last().Token.Should().Be(token);
    }

    [Fact]
    public async Task FetchAsync_NoTokenAnywhere_ThrowsNamingBothPlacesAndTheAlternatives()
    {
        _host.SeedKeyAndToken(Key);
        _environment.Set("HOME", _host.Files.Path);
        var source = _host.CreateSource("openai");

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask());

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain("No Vault token: the environment variable VAULT_TOKEN is not set")
            .And.Contain($"the file {Path.Combine(_host.Files.Path, ".vault-token")} does not exist")
            .And.Contain("vault login")
            .And.Contain("UseAppRole");
        _host.Server.Requests.Should().BeEmpty();
    }
}
