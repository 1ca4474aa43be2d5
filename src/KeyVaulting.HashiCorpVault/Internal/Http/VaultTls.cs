using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KeyVaulting.HashiCorpVault.Internal.Http;

/// <summary>
/// The HTTP handler a source owns when Vault's certificate needs special trust: the CA certificates of
/// <c>CaCertificatePath</c> (or <c>VAULT_CACERT</c>) trusted in addition to the system's roots, or, only when set
/// explicitly, no verification at all.
/// </summary>
internal static class VaultTls
{
    /// <summary>Reads the CA certificates of a PEM file (one certificate or a bundle).</summary>
    /// <exception cref="InvalidOperationException">The file is missing, unreadable, not a regular file, too large or holds no certificate.</exception>
    public static X509Certificate2Collection LoadCaCertificates(string path, string sourceName)
    {
        var setting = $"CaCertificatePath (or the {VaultDefaults.CaCertificateVariable} environment variable)";
        if (!BoundedFile.TryRead(path, BoundedFile.MaxCertificateBytes, $"the file {path}", out var pem, out var problem))
        {
            throw new InvalidOperationException($"{sourceName}: {setting} names a file that cannot be used: {problem}. Give the PEM file of the CA that issued Vault's certificate.");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"{sourceName}: {setting} names {path}, which cannot be read as PEM certificates ({ex.GetType().Name}). Give the PEM file of the CA that issued Vault's certificate.", ex);
        }

        if (certificates.Count == 0)
        {
            throw new InvalidOperationException($"{sourceName}: {setting} names {path}, which holds no '-----BEGIN CERTIFICATE-----' block. Give the PEM file of the CA that issued Vault's certificate.");
        }

        return certificates;
    }

    /// <summary>
    /// Creates the handler: the shared store handler (pooled connections recycled every few minutes, no redirects
    /// followed) with the trust rule, or <see langword="null"/> when the system's trust applies.
    /// </summary>
    public static SocketsHttpHandler? CreateHandler(X509Certificate2Collection? caCertificates, bool skipVerify)
    {
        if (!skipVerify && caCertificates is null)
        {
            return null;
        }

        var handler = StoreHttpClient.CreateHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = skipVerify
            ? static (_, _, _, _) => true
            : (_, certificate, chain, errors) => Validate(certificate, chain, errors, caCertificates!);
        return handler;
    }

    /// <summary>
    /// Accepts a certificate the system trusts, or one whose only problem is its chain and that chains up to one of
    /// the given CA certificates, for server authentication. A name mismatch is never accepted.
    /// </summary>
    /// <remarks>
    /// The chain is built for the server-authentication usage (EKU 1.3.6.1.5.5.7.3.1), as the system's own check does:
    /// a certificate the private CA issued for another purpose (a client certificate) is refused. Revocation is not
    /// checked (<see cref="X509RevocationMode.NoCheck"/>), the same decision as .NET's default for HttpClient: a private
    /// CA for Vault (often Vault's own PKI, with short-lived certificates) rarely publishes a CRL or OCSP responder the
    /// application can reach, and an unreachable one would make every read fail.
    /// </remarks>
    internal static bool Validate(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection caCertificates)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is not X509Certificate2 leaf)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        chain.ChainPolicy.CustomTrustStore.AddRange(caCertificates);
        chain.ChainPolicy.ExtraStore.AddRange(caCertificates);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }

    /// <summary>The TLS server-authentication extended key usage.</summary>
    private static Oid ServerAuthentication => new("1.3.6.1.5.5.7.3.1", "Server Authentication");
}
