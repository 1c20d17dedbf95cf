namespace Airlock.Core.Network;

/// <summary>Written by a gateway process once it listens: its ports, for the firewall and the sandbox's proxy variables.</summary>
public sealed record GatewayReady(int ProxyPort, int TransparentPort, int DnsPort);
