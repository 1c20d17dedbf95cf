using System.Net;
using System.Net.Sockets;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Ports;

/// <summary>
/// One <c>port.connect</c>: a TCP connection from the agent to 127.0.0.1:PORT inside the sandbox, relayed as Data
/// frames. The agent dials only its own loopback, so a preview reaches what the sandbox serves and nothing else
/// (no other address can be named), and it needs no network interface: it works on every tier.
/// </summary>
internal static class PortRelayOperation
{
    public static async Task RunAsync(FrameConnection connection, GuestRequest request, CancellationToken stopping)
    {
        int port = request.Port ?? throw AirlockException.Invalid("a port is required");
        GuestClient.ValidatePort(port);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), stopping);
        }
        catch (SocketException e)
        {
            throw AirlockException.Unavailable(e.SocketErrorCode == SocketError.ConnectionRefused
                ? $"nothing is listening on port {port} inside the sandbox (connection to 127.0.0.1:{port} refused); start the server there first"
                : $"cannot connect to 127.0.0.1:{port} inside the sandbox: {e.Message}");
        }

        await connection.WriteJsonAsync(GuestOk.Instance, GuestJsonContext.Default.GuestOk, stopping);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Task up = HostToSocketAsync(connection, socket, done.Token);
        Task down = SocketToHostAsync(socket, connection, done.Token);

        // The operation lasts until the host closes it (or the agent stops). The server closing its side is only sent
        // as End: the host may still be writing a request's body, or reading what was sent before.
        await up;
        await done.CancelAsync();
        socket.Close();
        await down;
    }

    /// <summary>Host's Data into the socket; End shuts the socket's write side. Returns when the host has closed the operation.</summary>
    private static async Task HostToSocketAsync(FrameConnection connection, Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Frame? frame = await connection.ReadFrameAsync(cancellationToken);
                if (frame is not { } f) return;
                switch (f.Type)
                {
                    case FrameType.Data:
                        await socket.SendAsync(f.Payload, SocketFlags.None, cancellationToken);
                        break;
                    case FrameType.End:
                        socket.Shutdown(SocketShutdown.Send);
                        // Wait for the host to close the operation.
                        while (await connection.ReadFrameAsync(cancellationToken) is not null)
                        {
                        }

                        return;
                    default:
                        return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or InvalidDataException or ObjectDisposedException)
        {
        }
    }

    private static async Task SocketToHostAsync(Socket socket, FrameConnection connection, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    await connection.WriteFrameAsync(FrameType.End, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
                    return;
                }

                await connection.WriteFrameAsync(FrameType.Data, buffer.AsMemory(0, n), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The socket was reset or closed, or the host left: the operation ends with the connection.
        }
    }
}
