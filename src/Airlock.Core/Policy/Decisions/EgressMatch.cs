using System.Net;
using Airlock.Policy;

namespace Airlock.Core.Policy.Decisions;

/// <summary>Whether a destination (name or address, optional port) is one a <c>network.allow</c> entry names.</summary>
internal static class EgressMatch
{
    public static bool Matches(EgressTarget target, string host, int? port)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        switch (target.Kind)
        {
            case EgressTargetKind.Network:
                return IPAddress.TryParse(name.Trim('[', ']'), out var address) && target.Network is { } network && network.Contains(address);
            case EgressTargetKind.Domain:
                return name == target.Host && PortMatches(target, port);
            case EgressTargetKind.DomainSuffix:
                return name.EndsWith("." + target.Host, StringComparison.Ordinal) && PortMatches(target, port);
            default:
                return false;
        }
    }

    /// <summary>A rule with a port allows only that port; a question without a port is about the host, any port the rule allows.</summary>
    private static bool PortMatches(EgressTarget target, int? port) => target.Port is null || port is null || target.Port == port;
}
