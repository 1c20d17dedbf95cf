using System.Globalization;
using Airlock.Core.Backends;
using Airlock.Core.Network;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// Gives a microVM the network the engine made for its sandbox. Inside that namespace: a tap device, which QEMU gets as
/// an open descriptor from its root launcher (<see cref="Launcher"/>: QEMU itself never opens <c>/dev/net/tun</c>, which
/// is root-only on many hosts, and runs in that namespace), and two tc redirects that pass every frame
/// between the tap and the namespace's <c>eth0</c> unchanged, the way Kata Containers' "tcfilter" model does. The
/// guest's NIC then stands where a container's eth0 would: same address, same route, same veth, so the host-side
/// firewall and the egress gateway see exactly what they see for a container. The namespace's own stack is taken off
/// the path (its addresses flushed, no IPv6 link-local). Everything lives in the namespace, which the engine deletes
/// after the backend's destroy: nothing of it needs undoing here.
/// </summary>
internal static class GuestNic
{
    public const string TapName = "tap0";

    /// <summary>
    /// The descriptor QEMU finds its tap at (<c>-netdev tap,fd=64</c>): high, so that no descriptor the launcher's runtime
    /// opened for itself is there (the launcher refuses a number in use).
    /// </summary>
    public const int TapDescriptor = 64;

    /// <summary>What runs as root before the jail's <c>setsid setpriv</c>: into the namespace, tap attached at <see cref="TapDescriptor"/>.</summary>
    public static IReadOnlyList<string> Launcher(SandboxNetworkLink link, string agentPath) =>
        ["nsenter", $"--net={link.NamespacePath}", agentPath, "tap-exec", TapName, TapDescriptor.ToString(CultureInfo.InvariantCulture), "--"];

    public static async Task AttachAsync(SandboxNetworkLink link, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await NetworkCommand.RunAsync("ip", ["-n", link.NamespaceName, "-batch", "-"],
            "link set eth0 down\n" +
            "link set eth0 addrgenmode none\n" +
            "addr flush dev eth0\n" +
            "link set eth0 up\n" +
            $"tuntap add dev {TapName} mode tap\n" +
            $"link set {TapName} addrgenmode none\n" +
            $"link set {TapName} up\n");

        // u32 "match u32 0 0" matches every frame (matchall is not built on every kernel).
        await NetworkCommand.RunAsync("tc", ["-n", link.NamespaceName, "-batch", "-"],
            "qdisc add dev eth0 ingress\n" +
            $"filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev {TapName}\n" +
            $"qdisc add dev {TapName} ingress\n" +
            $"filter add dev {TapName} parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0\n");
    }
}
