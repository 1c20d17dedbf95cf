using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Airlock.Egress;

/// <summary>
/// A per-sandbox CA whose certificate the sandbox trusts, so the gateway can terminate TLS to hosts that carry
/// secrets. Short-lived and per sandbox: its key leaking opens one sandbox's traffic for a day, not everyone's forever.
/// </summary>
public sealed class SandboxCertificateAuthority : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, X509Certificate2> _leaves = new(StringComparer.Ordinal);

    private SandboxCertificateAuthority(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey || certificate.GetECDsaPrivateKey() is null)
        {
            throw new ArgumentException("the sandbox CA needs its ECDSA private key beside the certificate", nameof(certificate));
        }

        Certificate = certificate;
    }

    internal X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate (PEM), for the sandbox's trust store.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>A fresh ECDSA P-256 CA named "Airlock sandbox ID CA", valid for about a day.</summary>
    public static SandboxCertificateAuthority Create(string sandboxId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sandboxId);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName($"Airlock sandbox {sandboxId} CA");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new SandboxCertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime));
    }

    /// <summary>Loads a CA saved by <see cref="Save"/> (certificate and private key in one PEM file).</summary>
    public static SandboxCertificateAuthority Load(string pemPath)
    {
        try
        {
            return new SandboxCertificateAuthority(X509Certificate2.CreateFromPemFile(pemPath, pemPath));
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{pemPath} does not hold a sandbox CA certificate and its private key (PEM): {e.Message}", e);
        }
    }

    /// <summary>Writes certificate and private key as PEM, readable by the owner only: host-side, never inside the sandbox.</summary>
    public void Save(string pemPath)
    {
        using var key = Certificate.GetECDsaPrivateKey()!;
        var text = Certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(pemPath, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        // UnixCreateMode applies only to a new file; an existing one keeps its mode unless it is set again.
        File.SetUnixFileMode(pemPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>A leaf for <paramref name="host"/> signed by this CA, made once per host and reused.</summary>
    public X509Certificate2 IssueServerCertificate(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return _leaves.GetOrAdd(host.TrimEnd('.').ToLowerInvariant(), Issue);
    }

    private X509Certificate2 Issue(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(host);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out var address)) san.AddIpAddress(address);
        else san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build(true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var notAfter = Certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow.AddDays(1) ? Certificate.NotAfter : DateTime.UtcNow.AddDays(1);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        foreach (var leaf in _leaves.Values) leaf.Dispose();
        Certificate.Dispose();
    }
}
