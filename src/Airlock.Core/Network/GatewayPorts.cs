namespace Airlock.Core.Network;

/// <summary>The ports a sandbox's gateway listens on, on the host side of the sandbox's veth.</summary>
internal sealed record GatewayPorts(int Proxy, int Transparent, int Dns);
