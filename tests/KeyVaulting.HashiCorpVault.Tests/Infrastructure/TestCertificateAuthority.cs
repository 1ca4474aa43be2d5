using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KeyVaulting.HashiCorpVault.Tests.Infrastructure;

/// <summary>
/// A private CA made for one test, and a server certificate for 127.0.0.1 it issued, as a Vault behind a company CA
/// would have. Nothing is trusted system-wide: only a client given the CA's PEM file trusts the server.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 ca, X509Certificate2 server)
    {
        Certificate = ca;
        ServerCertificate = server;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Gets the server certificate, with its private key, for Kestrel.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Creates the CA and a server certificate for 127.0.0.1 and localhost.</summary>
    /// <param name="serverUsage">The server certificate's extended key usage; default TLS server authentication.</param>
    /// <param name="crlDistributionPoint">A CRL distribution point to name in the server certificate, if any.</param>
    public static TestCertificateAuthority Create(string serverUsage = "1.3.6.1.5.5.7.3.1", Uri? crlDistributionPoint = null)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=KeyVaulting Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caWithKey = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverUsage)], false));
        if (crlDistributionPoint is not null)
        {
            serverRequest.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([crlDistributionPoint.ToString()]));
        }

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));

        using var issued = serverRequest.Create(caWithKey, now.AddHours(-1), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
        using var issuedWithKey = issued.CopyWithPrivateKey(serverKey);

        // Through PKCS#12 so that the key is usable by the TLS stack on every platform.
        var server = X509CertificateLoader.LoadPkcs12(issuedWithKey.Export(X509ContentType.Pkcs12), password: null);
        var ca = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        return new TestCertificateAuthority(ca, server);
    }

    /// <summary>Writes the CA certificate as a PEM file (what VAULT_CACERT names) and returns its path.</summary>
    public string WritePem(string directory)
    {
        var path = Path.Combine(directory, "vault-ca.pem");
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        ServerCertificate.Dispose();
    }
}
