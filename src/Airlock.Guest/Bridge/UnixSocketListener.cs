using System.Net.Sockets;

namespace Airlock.Guest.Bridge;

/// <summary>
/// A unix socket of mode 0600 that accepts one connection per operation; used by the agent's
/// <c>--socket</c> mode and by the host bridge. Binding replaces a stale socket; disposing removes it.
/// </summary>
internal sealed class UnixSocketListener : IStreamListener
{
    private readonly string _path;
    private readonly Socket _socket;

    public UnixSocketListener(string path)
    {
        _path = path;
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        TryDelete(path); // a stale socket from an earlier run would make bind fail
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            _socket.Listen(128);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public async Task<Stream> AcceptAsync(CancellationToken cancellationToken) =>
        new NetworkStream(await _socket.AcceptAsync(cancellationToken), ownsSocket: true);

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        TryDelete(_path);
        return ValueTask.CompletedTask;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
