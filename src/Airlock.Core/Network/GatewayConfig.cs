namespace Airlock.Core.Network;

/// <summary>
/// Everything a sandbox's gateway process needs, written by the engine to <c>{data}/egress/{id}/gateway.json</c>
/// (0600, on the host, never inside the sandbox): it holds the secrets' real values.
/// </summary>
public sealed record GatewayConfig
{
    public required string SandboxId { get; init; }

    public required string DataDirectory { get; init; }

    /// <summary>Host side of the sandbox's veth: the gateway listens here, and only here.</summary>
    public required string ListenAddress { get; init; }

    /// <summary>The sandbox side of the veth: the tenant's source address.</summary>
    public required string SourceAddress { get; init; }

    /// <summary>The sandbox's policy as written; the gateway reads its network, secrets' hosts and limits from it.</summary>
    public required string PolicyText { get; init; }

    public IReadOnlyList<GatewaySecret> Secrets { get; init; } = [];

    public IReadOnlyList<string> Canaries { get; init; } = [];

    /// <summary>PEM (certificate and key) of the sandbox's CA when it has secrets; the certificate alone is in its trust store.</summary>
    public string? CertificateAuthorityPath { get; init; }

    /// <summary>Test-only name -> addresses (see <see cref="EgressTestHooks"/>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> StaticHosts { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Test-only PEM file of extra roots the gateway trusts upstream.</summary>
    public string? UpstreamTrustPath { get; init; }

    /// <summary>The sandbox's TTL: the gateway exits then even if no engine runs to destroy the sandbox.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary><c>ip:port</c> of the upstream resolver; null: the host's.</summary>
    public string? UpstreamDns { get; init; }
}

/// <summary>One secret as the gateway gets it: the real value and the sandbox's placeholder for it.</summary>
public sealed record GatewaySecret(string Name, string Placeholder, string Value);
