using System.Net;
using Airlock.Policy;

namespace Airlock.Egress.Tests;

/// <summary>Builds <c>network.allow</c> entries as the policy loader would parse them.</summary>
internal static class Allow
{
    public static EgressTarget Host(string name, int? port = null) => name.StartsWith("*.", StringComparison.Ordinal)
        ? new() { Pattern = name + (port is null ? "" : $":{port}"), Kind = EgressTargetKind.DomainSuffix, Host = name[2..], Port = port }
        : new() { Pattern = name + (port is null ? "" : $":{port}"), Kind = EgressTargetKind.Domain, Host = name, Port = port };

    public static EgressTarget Network(string cidr, int? port = null) => new()
    {
        Pattern = cidr + (port is null ? "" : $":{port}"),
        Kind = EgressTargetKind.Network,
        Network = IPNetwork.Parse(cidr),
        Port = port,
    };

    public static NetworkPolicy Policy(params EgressTarget[] allow) => new() { Allow = allow };
}
