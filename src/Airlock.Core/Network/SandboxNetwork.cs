using System.Globalization;

namespace Airlock.Core.Network;

/// <summary>
/// A sandbox's own network namespace joined to the host by one veth pair, with iproute2 and nft doing the work
/// (no namespace syscalls of our own). Lifecycle: <see cref="CreateAsync"/> (namespace, veth, addresses, default
/// route via the host side) -> <see cref="ApplyFirewallAsync"/> once the gateway's ports are known ->
/// <see cref="DestroyAsync"/>, which works from the lease alone and skips what is already gone.
/// </summary>
internal static class SandboxNetwork
{
    public static async Task CreateAsync(NetworkLease lease)
    {
        var prefix = NetworkLease.PrefixLength.ToString(CultureInfo.InvariantCulture);
        await NetworkCommand.RunAsync("ip", ["netns", "add", lease.NamespaceName]);
        await NetworkCommand.RunAsync("ip", ["-batch", "-"],
            $"link add {lease.HostInterface} type veth peer name {lease.PeerInterface} netns {lease.NamespaceName}\n" +
            $"addr add {lease.HostAddress}/{prefix} dev {lease.HostInterface}\n" +
            $"link set {lease.HostInterface} up\n");
        // The host side carries only IPv4 to the gateway; without an IPv6 address it has no link-local one to reach.
        TryWriteSysctl($"/proc/sys/net/ipv6/conf/{lease.HostInterface}/disable_ipv6", "1");
        await NetworkCommand.RunAsync("ip", ["-n", lease.NamespaceName, "-batch", "-"],
            $"link set {lease.PeerInterface} name eth0\n" +
            $"addr add {lease.SandboxAddress}/{prefix} dev eth0\n" +
            "link set eth0 up\n" +
            "link set lo up\n" +
            $"route add default via {lease.HostAddress}\n");
    }

    public static Task ApplyFirewallAsync(NetworkLease lease, GatewayPorts ports) =>
        NetworkCommand.RunAsync("nft", ["-f", "-"], EgressFirewall.Ruleset(lease, ports));

    /// <summary>Table, then namespace (which takes the veth pair with it), then a veth left outside by a half-done create.</summary>
    public static async Task DestroyAsync(NetworkLease lease)
    {
        var errors = new List<string>();
        if (await TableExistsAsync(lease))
        {
            // A failure because another remover (the reaper's sweep beside an `airlock rm`) got there first is no failure.
            var (code, error) = await NetworkCommand.TryRunAsync("nft", ["delete", "table", "inet", lease.TableName]);
            if (code != 0 && await TableExistsAsync(lease)) errors.Add(error.Trim());
        }

        if (File.Exists(lease.NamespacePath))
        {
            var (code, error) = await NetworkCommand.TryRunAsync("ip", ["netns", "delete", lease.NamespaceName]);
            if (code != 0 && File.Exists(lease.NamespacePath)) errors.Add(error.Trim());
        }

        if (Directory.Exists($"/sys/class/net/{lease.HostInterface}"))
        {
            var (code, error) = await NetworkCommand.TryRunAsync("ip", ["link", "delete", lease.HostInterface]);
            if (code != 0 && Directory.Exists($"/sys/class/net/{lease.HostInterface}")) errors.Add(error.Trim());
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"network of sandbox {lease.SandboxId} was not fully removed: {string.Join("; ", errors)}");
        }
    }

    private static async Task<bool> TableExistsAsync(NetworkLease lease) =>
        (await NetworkCommand.TryRunAsync("nft", ["list", "table", "inet", lease.TableName])).ExitCode == 0;

    private static void TryWriteSysctl(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (IOException)
        {
            // A kernel without IPv6 has no such file: nothing to turn off.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
