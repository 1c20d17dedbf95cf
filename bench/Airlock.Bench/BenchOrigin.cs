using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Airlock.Bench;

/// <summary>The egress bench's origin: an HTTP/1.1 server on a loopback address that answers <c>/bytes/N</c> with N bytes.</summary>
internal sealed class BenchOrigin : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private BenchOrigin(Socket listener)
    {
        _listener = listener;
        _loop = Task.Run(AcceptAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static BenchOrigin Start(IPAddress address)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen(512);
        return new BenchOrigin(listener);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            client.NoDelay = true;
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private static async Task ServeAsync(Socket client)
    {
        using var _ = client;
        try
        {
            var buffer = new byte[8192];
            var length = 0;
            int at;
            while ((at = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                var n = await client.ReceiveAsync(buffer.AsMemory(length));
                if (n == 0) return;
                length += n;
            }

            var path = Encoding.ASCII.GetString(buffer, 0, at).Split(' ')[1];
            var count = long.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
            await client.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {count}\r\nConnection: close\r\n\r\n"));
            var chunk = new byte[256 * 1024];
            for (var sent = 0L; sent < count; sent += chunk.Length)
            {
                await client.SendAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, count - sent)));
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
