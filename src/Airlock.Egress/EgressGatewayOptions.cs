using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Airlock.Egress;

/// <summary>Where the gateway listens and how it resolves and trusts upstream.</summary>
public sealed record EgressGatewayOptions
{
    public required IPAddress ListenAddress { get; init; }

    /// <summary>Explicit HTTP proxy port (HTTP_PROXY/HTTPS_PROXY); 0 = any free port.</summary>
    public int ProxyPort { get; init; }

    /// <summary>Port nftables redirects a sandbox's TCP to; 0 = any free port.</summary>
    public int TransparentPort { get; init; }

    /// <summary>DNS port, UDP and TCP; 0 = any free port (the same number for both).</summary>
    public int DnsPort { get; init; }

    /// <summary>Name -> addresses, consulted before the upstream resolver (tests map their names to their own listeners).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> StaticHosts { get; init; } =
        new Dictionary<string, IReadOnlyList<IPAddress>>();

    /// <summary>The resolver the gateway asks for allowed names; null: the first nameserver in /etc/resolv.conf.</summary>
    public IPEndPoint? UpstreamDns { get; init; }

    /// <summary>Extra roots trusted, beside the system's, when the gateway itself opens TLS upstream.</summary>
    public IReadOnlyList<X509Certificate2> UpstreamTrust { get; init; } = [];
}
