using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KeyVaulting.Testing;

/// <summary>
/// A self-signed server certificate for 127.0.0.1 (and any host names given), trusted only by the transports that
/// <see cref="IsThisCertificate"/> guards, or by a child process given it as its only root (<c>SSL_CERT_FILE</c>):
/// nothing is added to any certificate store.
/// </summary>
public static class TestCertificate
{
    /// <summary>Creates a certificate for 127.0.0.1 and <paramref name="dnsNames"/>.</summary>
    public static X509Certificate2 Create(params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));

        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Round-trip through PKCS#12 so that the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Accepts the server certificate only when it is exactly <paramref name="expected"/> (by SHA-256 thumbprint).</summary>
    public static bool IsThisCertificate(X509Certificate2? presented, X509Certificate2 expected)
        => presented is not null
           && CryptographicOperations.FixedTimeEquals(
               presented.GetCertHash(HashAlgorithmName.SHA256),
               expected.GetCertHash(HashAlgorithmName.SHA256));
}
