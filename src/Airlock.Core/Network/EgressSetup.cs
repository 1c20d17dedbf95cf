using System.Globalization;

namespace Airlock.Core.Network;

/// <summary>A sandbox's egress once made: where its gateway listens, and what the sandbox must be given to use it.</summary>
internal sealed record EgressSetup(NetworkLease Lease, GatewayReady Ports, string? CertificateAuthorityPem)
{
    /// <summary>Proxy variables for programs that honour them (the rest are redirected anyway), placeholders, canary, CA paths.</summary>
    public IReadOnlyDictionary<string, string> Environment(EgressPlan plan)
    {
        var proxy = $"http://{Lease.HostAddress}:{Ports.ProxyPort.ToString(CultureInfo.InvariantCulture)}";
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HTTP_PROXY"] = proxy,
            ["HTTPS_PROXY"] = proxy,
            ["http_proxy"] = proxy,
            ["https_proxy"] = proxy,
            ["NO_PROXY"] = "localhost,127.0.0.1,::1",
            ["no_proxy"] = "localhost,127.0.0.1,::1",
            ["AWS_ACCESS_KEY_ID"] = plan.CanaryAccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = plan.CanarySecretKey,
        };
        foreach (var secret in plan.Secrets) env[secret.Name] = secret.Placeholder;
        if (CertificateAuthorityPem is not null)
        {
            // OpenSSL, Python's requests and Node do not all read the same store; point each at the bundle that has the CA.
            env["SSL_CERT_FILE"] = SandboxEgress.CaBundle;
            env["REQUESTS_CA_BUNDLE"] = SandboxEgress.CaBundle;
            env["CURL_CA_BUNDLE"] = SandboxEgress.CaBundle;
            env["NODE_EXTRA_CA_CERTS"] = SandboxEgress.CaFile;
        }

        return env;
    }
}
