namespace Airlock.Guest.Tests.Mux;

/// <summary><c>serve --dial</c> + <c>bridge --accept</c> (gVisor): a restarted bridge is redialled by the agent.</summary>
public sealed class DialBridgeTests : BridgedAgentTests<DialBridgeFixture>, IClassFixture<DialBridgeFixture>
{
    public DialBridgeTests(DialBridgeFixture fixture)
        : base(fixture)
    {
    }
}
