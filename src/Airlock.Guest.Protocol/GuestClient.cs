using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Guest.Protocol;

/// <summary>
/// The host's side of the guest agent protocol. Transport-agnostic: <c>connect</c> opens a fresh byte
/// stream to the agent (a unix socket for runc, a virtio-serial port or vsock for a VM); one operation
/// runs per stream. Agent-reported failures surface as <see cref="AirlockException"/> of the matching kind.
/// Everything the agent sends is validated (<see cref="FrameConnection"/>): the sandbox is not trusted.
/// </summary>
public sealed partial class GuestClient
{
    private static readonly GuestJsonContext Json = GuestJsonContext.Default;

    private readonly Func<CancellationToken, Task<Stream>> _connect;

    public GuestClient(Func<CancellationToken, Task<Stream>> connect)
    {
        _connect = connect;
    }

    /// <summary>A client for an agent listening on the unix socket <paramref name="socketPath"/> (the runc and gVisor tiers).</summary>
    public static GuestClient ForUnixSocket(string socketPath) => new(async cancellationToken =>
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });

    public async Task<GuestHello> PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.Ping }, cancellationToken);
        return await ReadJsonAsync(connection, Json.GuestHello, "ping", cancellationToken);
    }

    /// <summary>Connects and sends the request frame. Any failure to reach the agent is Unavailable.</summary>
    private async Task<FrameConnection> OpenAsync(GuestRequest request, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await _connect(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AirlockException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw AirlockException.Unavailable(FrameErrors.NotAnsweringMessage, e);
        }

        var connection = new FrameConnection(stream);
        try
        {
            await connection.WriteJsonAsync(request, Json.GuestRequest, cancellationToken);
            return connection;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw AirlockException.Unavailable(FrameErrors.NotAnsweringMessage, e);
        }
    }

    private static async Task<T> ReadJsonAsync<T>(FrameConnection connection, JsonTypeInfo<T> typeInfo, string during, CancellationToken cancellationToken)
    {
        Frame frame = await FrameErrors.ReadAsync(connection, during, cancellationToken);
        return FrameErrors.Expect(frame, typeInfo);
    }

    /// <summary>
    /// Sends <paramref name="content"/> as Data frames then End. When the agent gives up half way it
    /// sends an Error frame and closes; the write then fails, and the agent's reason is what we report.
    /// </summary>
    private static async Task SendDataAsync(FrameConnection connection, Stream content, string during, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[GuestProtocol.DataChunkSize];
        try
        {
            while (true)
            {
                int n = await content.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    break;
                }

                await connection.WriteFrameAsync(FrameType.Data, buffer.AsMemory(0, n), cancellationToken);
            }

            await connection.WriteFrameAsync(FrameType.End, ReadOnlyMemory<byte>.Empty, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            Frame frame = await FrameErrors.ReadAsync(connection, during, cancellationToken);
            throw frame.Type == FrameType.Error ? FrameErrors.ToException(frame) : FrameErrors.Lost(during, e);
        }
    }

    private static string RequirePath(string path) =>
        string.IsNullOrEmpty(path) ? throw AirlockException.Invalid("a path is required") : path;
}
