using Airlock;

namespace Airlock.Guest.Tests.Mux;

/// <summary>
/// <c>serve --serial</c> + <c>bridge --connect</c> (microVM). The port's stream outlives bridge connections, so
/// a new bridge must resynchronise with an agent that may be half way through an old session's frame.
/// </summary>
public sealed class SerialBridgeTests : BridgedAgentTests<SerialBridgeFixture>, IClassFixture<SerialBridgeFixture>
{
    public SerialBridgeTests(SerialBridgeFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Bridge_WhenItsPortConnectionDropsMidTransfer_ReconnectsAndResynchronises()
    {
        // A transfer in flight leaves partial frames on the port when the connection drops.
        var content = new TrippingStream(length: 50 * 1024 * 1024, tripAfter: 4 * 1024 * 1024, Fixture.Port.DropHost);
        var cut = await Assert.ThrowsAsync<AirlockException>(() => Fixture.Client.WriteFileAsync("/workspace/cut.bin", content).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(AirlockErrorKind.Unavailable, cut.Kind);

        var run = await ExecCapture.RunAsync(Fixture.Client, "echo", "resynced").WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("resynced\n", run.Stdout);
    }
}
