using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MultiCodex.Simulator.Hosting;

/// <summary>A throw-away CA and a 127.0.0.1/localhost server certificate it signed, made in memory with
/// <see cref="CertificateRequest"/> (no openssl). The CA PEM is written to a temp file for clients such as
/// the Codex CLI (<c>CODEX_CA_CERTIFICATE</c>). Validity uses the real clock: clients check it against theirs.</summary>
internal sealed class TlsMaterial : IDisposable
{
    private TlsMaterial(X509Certificate2 serverCertificate, string caPem, string caPath)
    {
        ServerCertificate = serverCertificate;
        CaCertificatePem = caPem;
        CaCertificatePath = caPath;
    }

    public X509Certificate2 ServerCertificate { get; }

    public string CaCertificatePem { get; }

    public string CaCertificatePath { get; }

    public static TlsMaterial Create()
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=MultiCodex Simulator Test CA, O=MultiCodex", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var caSki = new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false);
        caRequest.CertificateExtensions.Add(caSki);
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caSki));
        using var signed = serverRequest.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16).Select((b, i) => i == 0 ? (byte)(b & 0x7F) : b).ToArray());
        using var withKey = signed.CopyWithPrivateKey(serverKey);

        // A PKCS#12 round trip gives Kestrel a certificate whose key is usable on every platform.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        var caPem = ca.ExportCertificatePem() + "\n";
        var directory = Directory.CreateTempSubdirectory("multicodex-sim-tls-");
        var caPath = Path.Combine(directory.FullName, "ca.pem");
        File.WriteAllText(caPath, caPem);
        return new TlsMaterial(server, caPem, caPath);
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        try
        {
            Directory.Delete(Path.GetDirectoryName(CaCertificatePath)!, recursive: true);
        }
        catch (IOException)
        {
            // A client may still hold the file open; the temp folder is cleaned by the OS eventually.
        }
    }
}
