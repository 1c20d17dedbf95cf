using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Airlock.Guest.Tests;

/// <summary>The agent here runs on the host, so its loopback is the test's: the listener is on 127.0.0.1.</summary>
public sealed class PortRelayTests : IClassFixture<AgentFixture>
{
    private readonly AgentFixture _agent;

    public PortRelayTests(AgentFixture agent)
    {
        _agent = agent;
    }

    [Fact]
    public async Task ConnectPort_RelaysBytesBothWays_AndTheServersCloseEndsTheStream()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            byte[] buffer = new byte[5];
            await stream.ReadExactlyAsync(buffer);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("got " + Encoding.ASCII.GetString(buffer)));
        });

        await using var relay = await _agent.Client.ConnectPortAsync(port);
        await relay.WriteAsync(Encoding.ASCII.GetBytes("hello"));
        using var reader = new StreamReader(relay);
        Assert.Equal("got hello", await reader.ReadToEndAsync());
        await server;
    }

    [Fact]
    public async Task ConnectPort_NothingListening_SaysSo()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.ConnectPortAsync(port));
        Assert.Equal(AirlockErrorKind.Unavailable, e.Kind);
        Assert.Contains($"nothing is listening on port {port}", e.Message);
    }

    [Fact]
    public async Task ConnectPort_OutOfRange_IsInvalid()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.ConnectPortAsync(70000));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }
}
