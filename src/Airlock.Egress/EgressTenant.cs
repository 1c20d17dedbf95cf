using System.Net;
using Airlock.Policy;

namespace Airlock.Egress;

/// <summary>One sandbox as the gateway sees it: its source address and the rules its traffic is judged by.</summary>
public sealed record EgressTenant
{
    public required string SandboxId { get; init; }

    /// <summary>The sandbox's address on its veth; connections and DNS queries from it are this tenant's.</summary>
    public required IPAddress SourceAddress { get; init; }

    public required NetworkPolicy Network { get; init; }

    public IReadOnlyList<EgressSecret> Secrets { get; init; } = [];

    /// <summary>Values Airlock planted in the sandbox (fake credentials); seen leaving, the request is blocked and an alert raised.</summary>
    public IReadOnlyList<string> Canaries { get; init; } = [];

    /// <summary><c>limits.egress_rate</c>, applied to each direction; null = unlimited.</summary>
    public long? RateBitsPerSecond { get; init; }

    /// <summary>Total bytes both ways; once spent, new connections are refused and open ones closed.</summary>
    public long? QuotaBytes { get; init; }

    /// <summary>The per-sandbox CA that terminates TLS for hosts that carry secrets; null: such hosts are refused over TLS.</summary>
    public SandboxCertificateAuthority? Interception { get; init; }
}
