using System.Diagnostics;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Auth;

/// <summary>
/// Credential files (token file, AppRole <c>secret_id</c> file, Kubernetes JWT) and the CA file are read without ever
/// blocking on a special file and only up to a size no such file exceeds: a named pipe at that path would otherwise
/// hang the read forever (File.ReadAllText waits for a writer), and with it the provider.
/// </summary>
public sealed class CredentialFileTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await VaultTestHost.StartAsync();
        _host.Vault.EnableKv();
        _host.Vault.PutKey("openai", TestKeys.Project());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("token")]
    [InlineData("secret_id")]
    [InlineData("jwt")]
    public async Task FetchAsync_CredentialFileIsANamedPipe_FailsAtOnceWithoutOpeningIt(string credential)
    {
        var fifo = MakeFifo("credential");
        var source = _host.CreateSource("openai", o => _ = credential switch
        {
            "token" => o.UseTokenFile(fifo),
            "secret_id" => o.UseAppRole("role-id", secretIdFile: fifo),
            _ => o.UseKubernetes("openai-reader", jwtPath: fifo),
        });

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask().WaitAsync(Bound));

        exception.IsTransient.Should().BeFalse();
        exception.Message.Should().Contain($"the file {fifo} is empty or is not a regular file (a named pipe, device or socket); it was not opened");
        _host.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_TokenFileLargerThan64KiB_FailsWithoutReadingIt()
    {
        var huge = _host.Files.Write("token", new string('t', 65 * 1024));
        var source = _host.CreateSource("openai", o => o.UseTokenFile(huge));

        var exception = await Assert.ThrowsAsync<OpenAIKeySourceException>(() => source.FetchAsync(CancellationToken.None).AsTask().WaitAsync(Bound));

        exception.Message.Should().Contain($"the file {huge} is larger than 64 KiB, which no such file is; it was not read");
        _host.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Create_CaCertificatePathIsANamedPipe_FailsAtOnceNamingTheSetting()
    {
        var fifo = MakeFifo("ca.pem");

        var create = Task.Run(() => _host.CreateSource("openai", o =>
        {
            o.UseToken("unused-token");
            o.CaCertificatePath = fifo;
        }));

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => create.WaitAsync(Bound));
        exception.Message.Should().Contain("CaCertificatePath").And.Contain("is empty or is not a regular file");
    }

    [Fact]
    public async Task FetchAsync_TokenFileIsASymbolicLinkToARegularFile_ReadsTheTarget()
    {
        var token = _host.Vault.CreateToken(new TokenPolicy { Read = ["secret/data/openai"] });
        var target = _host.Files.Write("token-data", token + "\n");
        var link = Path.Combine(_host.Files.Path, "token");
        File.CreateSymbolicLink(link, target);
        var source = _host.CreateSource("openai", o => o.UseTokenFile(link));

        var result = await source.FetchAsync(CancellationToken.None).AsTask().WaitAsync(Bound);

        result.Value.Should().Be(TestKeys.Project(), "Kubernetes mounts the service-account token through symbolic links");
    }

    private string MakeFifo(string name)
    {
        var path = Path.Combine(_host.Files.Path, name);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit(10_000).Should().BeTrue("mkfifo ends at once");
        mkfifo.ExitCode.Should().Be(0);
        File.GetAttributes(path).Should().NotHaveFlag(FileAttributes.Directory);
        return path;
    }
}
