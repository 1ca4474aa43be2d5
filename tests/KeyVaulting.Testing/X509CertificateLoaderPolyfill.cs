#if !NET9_0_OR_GREATER
namespace System.Security.Cryptography.X509Certificates;

/// <summary>
/// The net8.0 test leg's stand-in for .NET 9's <c>X509CertificateLoader</c>, so that test code loads certificates the
/// same way on both legs. Test code only: the libraries never load certificates from bytes.
/// </summary>
public static class X509CertificateLoader
{
    /// <summary>Loads a certificate with its private key from PKCS#12 bytes.</summary>
    public static X509Certificate2 LoadPkcs12(byte[] data, string? password)
        => new(data, password, X509KeyStorageFlags.Exportable);

    /// <summary>Loads a certificate (no private key) from its DER bytes.</summary>
    public static X509Certificate2 LoadCertificate(byte[] data) => new(data);
}
#endif
