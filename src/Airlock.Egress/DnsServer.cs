using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Airlock.Egress;

/// <summary>The sandboxes' resolver, on UDP and TCP: allowed names answered from the gateway's own resolution, the rest REFUSED.</summary>
internal sealed class DnsServer : IAsyncDisposable
{
    private readonly DnsResponder _responder;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private readonly CancellationToken _stopping;

    private DnsServer(EgressGatewayContext context, Socket udp, Socket tcp, CancellationToken stopping)
    {
        _responder = new DnsResponder(context);
        _udp = udp;
        _tcp = tcp;
        _stopping = stopping;
        _udpLoop = Task.Run(ServeUdpAsync, CancellationToken.None);
        _tcpLoop = Task.Run(ServeTcpAsync, CancellationToken.None);
    }

    public EndPoint? EndPoint => _udp.LocalEndPoint;

    public static DnsServer Start(EgressGatewayContext context, IPAddress address, int port, CancellationToken stopping)
    {
        var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            udp.Bind(new IPEndPoint(address, port));
            // TCP on the port UDP got, so one endpoint serves both (as resolv.conf expects).
            tcp.Bind(new IPEndPoint(address, ((IPEndPoint)udp.LocalEndPoint!).Port));
            tcp.Listen(128);
        }
        catch (SocketException e)
        {
            udp.Dispose();
            tcp.Dispose();
            throw new InvalidOperationException($"the egress gateway cannot serve DNS on {address}:{port}: {e.Message}", e);
        }

        return new DnsServer(context, udp, tcp, stopping);
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[4096];
        EndPoint any = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue;
            }

            var query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            var from = (IPEndPoint)received.RemoteEndPoint;
            _ = Task.Run(async () =>
            {
                var reply = await _responder.AnswerAsync(query, from.Address, "udp", _stopping);
                // A reply bigger than a UDP answer may be is cut to its header with TC set, so the client retries over TCP.
                if (reply.Length > 512) reply = Truncated(reply);
                try
                {
                    await _udp.SendToAsync(reply, SocketFlags.None, from, _stopping);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                }
            });
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(_stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue;
            }

            _ = Task.Run(() => ServeTcpClientAsync(client));
        }
    }

    private async Task ServeTcpClientAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client);
        var source = ((IPEndPoint)client.RemoteEndPoint!).Address;
        var length = new byte[2];
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
                idle.CancelAfter(TimeSpan.FromSeconds(10));
                await stream.ReadExactlyAsync(length, idle.Token);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(query, idle.Token);
                var reply = await _responder.AnswerAsync(query, source, "tcp", _stopping);
                var framed = new byte[reply.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                reply.CopyTo(framed, 2);
                await stream.WriteAsync(framed, _stopping);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // The client closed, idled out or the gateway stopped.
        }
    }

    private static byte[] Truncated(byte[] reply)
    {
        var header = reply.AsSpan(0, 12).ToArray();
        header[2] |= 0x02;
        header[6] = header[7] = header[8] = header[9] = header[10] = header[11] = 0;
        header[4] = 0;
        header[5] = 0;
        return header;
    }

    public async ValueTask DisposeAsync()
    {
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop);
    }
}
