using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Airlock.Egress;

/// <summary>
/// The gateway's own TLS client for intercepted hosts: the system's roots plus <see cref="EgressGatewayOptions.UpstreamTrust"/>.
/// The name is always checked: the sandbox trusted the gateway, so the gateway must not trust less than the sandbox would.
/// </summary>
internal sealed class UpstreamTls(IReadOnlyList<X509Certificate2> extraRoots)
{
    public async Task<SslStream> ConnectAsync(Stream upstream, string host, CancellationToken cancellationToken)
    {
        var tls = new SslStream(upstream, leaveInnerStreamOpen: false, Validate);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cancellationToken);
        return tls;
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || extraRoots.Count == 0) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots.ToArray());
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1)) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        return custom.Build(new X509Certificate2(certificate));
    }
}
