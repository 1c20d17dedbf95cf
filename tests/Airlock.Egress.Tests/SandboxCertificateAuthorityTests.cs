using System.Security.Cryptography.X509Certificates;

namespace Airlock.Egress.Tests;

public sealed class SandboxCertificateAuthorityTests
{
    [Fact]
    public void Create_MakesADayLongP256CaNamedForTheSandbox()
    {
        using var ca = SandboxCertificateAuthority.Create("sb-42");

        var certificate = X509Certificate2.CreateFromPem(ca.CertificatePem);
        Assert.Equal("CN=Airlock sandbox sb-42 CA", certificate.Subject);
        Assert.True(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal("1.2.840.10045.2.1", certificate.PublicKey.Oid.Value); // id-ecPublicKey
        Assert.InRange(certificate.NotAfter - certificate.NotBefore, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
    }

    [Fact]
    public void IssueServerCertificate_ChainsToTheCa_NamesTheHost_AndIsCached()
    {
        using var ca = SandboxCertificateAuthority.Create("sb-42");

        var leaf = ca.IssueServerCertificate("API.test");

        Assert.Same(leaf, ca.IssueServerCertificate("api.test"));
        Assert.True(leaf.HasPrivateKey);
        Assert.True(leaf.MatchesHostname("api.test"));
        Assert.False(leaf.MatchesHostname("other.test"));
        Assert.True(TestCertificates.ChainsTo(leaf, System.Net.Security.SslPolicyErrors.None, ca.Certificate));
        Assert.False(TestCertificates.ChainsTo(leaf, System.Net.Security.SslPolicyErrors.None, TestCertificates.Root));
    }

    [Fact]
    public void SaveAndLoad_RoundTripTheKey_InAnOwnerOnlyFile()
    {
        var directory = Directory.CreateTempSubdirectory("airlock-ca-tests-").FullName;
        try
        {
            var path = Path.Combine(directory, "ca.pem");
            using var ca = SandboxCertificateAuthority.Create("sb-7");
            ca.Save(path);

            using var loaded = SandboxCertificateAuthority.Load(path);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(ca.CertificatePem, loaded.CertificatePem);
            Assert.True(TestCertificates.ChainsTo(loaded.IssueServerCertificate("pkgs.test"), System.Net.Security.SslPolicyErrors.None, ca.Certificate));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Load_OfAFileWithoutAKey_SaysWhatIsMissing()
    {
        var directory = Directory.CreateTempSubdirectory("airlock-ca-tests-").FullName;
        try
        {
            var path = Path.Combine(directory, "cert-only.pem");
            using var ca = SandboxCertificateAuthority.Create("sb-7");
            File.WriteAllText(path, ca.CertificatePem);

            var error = Assert.Throws<InvalidOperationException>(() => SandboxCertificateAuthority.Load(path));

            Assert.Contains("private key", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
