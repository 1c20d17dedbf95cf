using System.Security.Cryptography.X509Certificates;

namespace Airlock.Egress;

/// <summary>A per-sandbox CA whose certificate the sandbox trusts, so the gateway can terminate TLS to hosts that carry secrets.</summary>
public sealed class SandboxCertificateAuthority : IDisposable
{
    private SandboxCertificateAuthority(X509Certificate2 certificate)
    {
        Certificate = certificate;
    }

    internal X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public static SandboxCertificateAuthority Create(string sandboxId) => throw new NotImplementedException();

    public static SandboxCertificateAuthority Load(string pemPath) => throw new NotImplementedException();

    public void Save(string pemPath) => throw new NotImplementedException();

    public X509Certificate2 IssueServerCertificate(string host) => throw new NotImplementedException();

    public void Dispose() => Certificate.Dispose();
}
