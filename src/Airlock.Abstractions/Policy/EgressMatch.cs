using System.Net;

namespace Airlock.Policy;

/// <summary>
/// Whether a destination (name or address, optional port) is one a <c>network.allow</c> entry names. One matcher for
/// the policy engine (plans, <c>network:</c> decisions) and the egress gateway (live connections), so both agree.
/// </summary>
public static class EgressMatch
{
    public static bool Matches(EgressTarget target, string host, int? port)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(host);
        var name = host.TrimEnd('.').ToLowerInvariant();
        switch (target.Kind)
        {
            case EgressTargetKind.Network:
                return IPAddress.TryParse(name.Trim('[', ']'), out var address) && Contains(target, address) && PortMatches(target, port);
            case EgressTargetKind.Domain:
                return name == target.Host && PortMatches(target, port);
            case EgressTargetKind.DomainSuffix:
                return name.EndsWith("." + target.Host, StringComparison.Ordinal) && PortMatches(target, port);
            default:
                return false;
        }
    }

    /// <summary>The first entry of <paramref name="allow"/> that matches, or null (denied).</summary>
    public static EgressTarget? First(IEnumerable<EgressTarget> allow, string host, int? port)
    {
        ArgumentNullException.ThrowIfNull(allow);
        foreach (var target in allow)
        {
            if (Matches(target, host, port)) return target;
        }

        return null;
    }

    /// <summary>Whether a name rule covers <paramref name="host"/> at all, whatever its port.</summary>
    public static bool NamesHost(EgressTarget target, string host) =>
        target.Kind != EgressTargetKind.Network && Matches(target, host, null);

    private static bool Contains(EgressTarget target, IPAddress address)
    {
        if (target.Network is not { } network) return false;
        // An IPv4 connection seen on a dual-stack socket arrives as ::ffff:a.b.c.d; a v4 rule must still match it.
        if (address.IsIPv4MappedToIPv6 && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address = address.MapToIPv4();
        }

        return network.Contains(address);
    }

    /// <summary>A rule with a port allows only that port; a question without a port is about the host, any port the rule allows.</summary>
    private static bool PortMatches(EgressTarget target, int? port) => target.Port is null || port is null || target.Port == port;
}
