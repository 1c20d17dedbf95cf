namespace Airlock.Guest.Tests.Mux;

/// <summary>The microVM arrangement: the agent holds a serial port, the bridge connects to its chardev socket.</summary>
public sealed class SerialBridgeFixture : BridgedAgentFixture
{
    public SerialBridgeFixture()
    {
        string guestPort = Path.Combine(Base, "vport0p1");
        string chardev = Path.Combine(Base, "chardev.sock");
        Port = new FakeSerialPort(guestPort, chardev);
        Start(["--serial", guestPort], ["--connect", chardev]);
    }

    public FakeSerialPort Port { get; }

    protected override void DisposeTransport() => Port.Dispose();
}
