namespace Airlock.Guest.Tests.Mux;

/// <summary>The gVisor arrangement: the bridge accepts on a socket, the agent dials out to it.</summary>
public sealed class DialBridgeFixture : BridgedAgentFixture
{
    public DialBridgeFixture()
    {
        string guest = Path.Combine(Base, "guest.sock");
        Start(["--dial", guest], ["--accept", guest]);
    }
}
