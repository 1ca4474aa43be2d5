using System.Net.Security;
using KeyVaulting.HashiCorpVault.Internal.Http;
using KeyVaulting.HashiCorpVault.Tests.Infrastructure;
using KeyVaulting.Testing;
using Microsoft.AspNetCore.Http;

namespace KeyVaulting.HashiCorpVault.Tests.Internal.Http;

/// <summary>
/// The two decisions of the custom CA trust (CaCertificatePath): the chain is built for TLS server authentication,
/// and revocation is not checked. Each with certificates made in the test.
/// </summary>
public sealed class VaultTlsTrustTests
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private static readonly string Key = TestKeys.Project('R');

    [Theory]
    [InlineData(ServerAuthentication, true)]
    [InlineData(ClientAuthentication, false)]
    public void Validate_CertificateOfThePrivateCa_IsAcceptedOnlyForTlsServerAuthentication(string usage, bool accepted)
    {
        // Kestrel will not serve a certificate without the server usage, so the trust rule is asked directly, as
        // SslStream asks it when the system does not trust the private CA.
        using var ca = TestCertificateAuthority.Create(serverUsage: usage);

        var result = VaultTls.Validate(ca.ServerCertificate, presented: null, SslPolicyErrors.RemoteCertificateChainErrors, [ca.Certificate]);

        result.Should().Be(accepted, "a certificate the private CA issued for another purpose (a client certificate) is not Vault's");
    }

    [Fact]
    public async Task FetchAsync_CertificateNamesARevocationList_IsAcceptedWithoutFetchingIt()
    {
        var crlRequests = 0;
        await using var crl = await LocalServer.StartAsync(context =>
        {
            Interlocked.Increment(ref crlRequests);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        using var ca = TestCertificateAuthority.Create(crlDistributionPoint: new Uri(crl.Address, "/vault-ca.crl"));
        await using var host = await VaultTestHost.StartAsync(ca.ServerCertificate);
        var token = host.SeedKeyAndToken(Key);
        var pem = ca.WritePem(host.Files.Path);
        var source = host.CreateSource("openai", o =>
        {
            o.UseToken(token);
            o.CaCertificatePath = pem;
        });

        var result = await source.FetchAsync(CancellationToken.None);

        result.Value.Should().Be(Key);
        Volatile.Read(ref crlRequests).Should().Be(0, "revocation is not checked against a private CA (X509RevocationMode.NoCheck, documented)");
    }
}
