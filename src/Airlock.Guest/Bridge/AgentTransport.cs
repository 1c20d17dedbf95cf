namespace Airlock.Guest.Bridge;

/// <summary>How operations reach the agent; see <see cref="AgentOptions"/>.</summary>
internal enum AgentTransport
{
    Socket,
    Serial,
    Dial,
}
