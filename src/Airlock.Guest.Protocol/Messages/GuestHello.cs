namespace Airlock.Guest.Protocol;

/// <summary>The agent's answer to a ping.</summary>
public sealed record GuestHello(string Version, int Pid);
