using System.Net;

namespace Airlock.Core.Network;

/// <summary>
/// One sandbox's slot in the host-wide address pool. Every host name of its network derives from the index and
/// the id, so teardown needs nothing else: netns <c>airlock-{id}</c>, host veth <c>alk{index}</c>, nftables table
/// <c>inet airlock_{index}</c>, the /30 <c>pool + 4 * index</c> (host side .1, sandbox side .2).
/// </summary>
internal sealed record NetworkLease(int Index, string SandboxId, string DataDirectory)
{
    public const int PrefixLength = 30;

    public string NamespaceName => "airlock-" + SandboxId;

    public string NamespacePath => "/run/netns/" + NamespaceName;

    public string HostInterface => "alk" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The peer's name at creation, before it moves into the namespace and becomes eth0: names are host-global until then.</summary>
    public string PeerInterface => "alp" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string TableName => "airlock_" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IPAddress HostAddress => Offset(1);

    public IPAddress SandboxAddress => Offset(2);

    /// <summary>What a backend is handed: the namespace, the sandbox's address and its route via the host side.</summary>
    public Backends.SandboxNetworkLink Link => new(NamespacePath, SandboxAddress, HostAddress, PrefixLength);

    private IPAddress Offset(int host)
    {
        var bytes = NetworkLeasePool.PoolBase.GetAddressBytes();
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + (uint)(Index * 4 + host);
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
