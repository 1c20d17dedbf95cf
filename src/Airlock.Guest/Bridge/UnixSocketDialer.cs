using System.Net.Sockets;

namespace Airlock.Guest.Bridge;

/// <summary>Connects to a unix socket that may not exist yet (the peer is still starting): retries every 100 ms.</summary>
internal static class UnixSocketDialer
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<NetworkStream> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException)
            {
                // Absent (ENOENT) or nobody listening yet (ECONNREFUSED).
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            await Task.Delay(RetryInterval, cancellationToken);
        }
    }
}
