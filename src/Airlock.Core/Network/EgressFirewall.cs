using System.Globalization;
using System.Text;

namespace Airlock.Core.Network;

/// <summary>
/// The nftables table that makes the gateway a sandbox's only way out. It lives in the host's namespace and
/// matches on the host side of the sandbox's veth, so it also holds for gVisor, whose netstack writes frames
/// with a packet socket that the sandbox namespace's own netfilter never sees, and root in the sandbox cannot
/// change it (the namespace belongs to the host's user namespace).
/// <list type="bullet">
/// <item>prerouting: DNS (UDP and TCP 53, to any address) goes to the gateway's DNS port; every other TCP
/// connection, to any address and port, goes to its transparent port (the original destination stays readable
/// with SO_ORIGINAL_DST); only the explicit proxy port and the DNS port themselves are left as addressed.</item>
/// <item>input: from the veth, only those three ports on the host-side address; everything else (other UDP,
/// ICMP, IPv6, the host's own services on any address, other sandboxes' gateways) is dropped.</item>
/// <item>forward: nothing is routed from or to the veth, so no packet of the sandbox reaches another network,
/// another sandbox or 127.0.0.0/8 (route_localnet stays off on the veth; the drop holds even if it were on).</item>
/// </list>
/// </summary>
internal static class EgressFirewall
{
    public static string Ruleset(NetworkLease lease, GatewayPorts ports)
    {
        var i = lease.HostInterface;
        var host = lease.HostAddress.ToString();
        string P(int port) => port.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"table inet {lease.TableName} {{\n");
        text.Append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" meta nfproto ipv4 ip daddr {host} tcp dport {{ {P(ports.Proxy)}, {P(ports.Dns)} }} accept\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" meta nfproto ipv4 udp dport 53 redirect to :{P(ports.Dns)}\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" meta nfproto ipv4 tcp dport 53 redirect to :{P(ports.Dns)}\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" meta nfproto ipv4 meta l4proto tcp redirect to :{P(ports.Transparent)}\n");
        text.Append("  }\n");
        text.Append("  chain input {\n    type filter hook input priority filter - 10; policy accept;\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" ip daddr {host} tcp dport {{ {P(ports.Proxy)}, {P(ports.Transparent)}, {P(ports.Dns)} }} accept\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" ip daddr {host} udp dport {P(ports.Dns)} accept\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" drop\n");
        text.Append("  }\n");
        text.Append("  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n");
        text.Append(CultureInfo.InvariantCulture, $"    iifname \"{i}\" drop\n    oifname \"{i}\" drop\n");
        text.Append("  }\n}\n");
        return text.ToString();
    }
}
