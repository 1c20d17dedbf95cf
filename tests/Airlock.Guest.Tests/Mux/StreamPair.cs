using System.Net.Sockets;

namespace Airlock.Guest.Tests.Mux;

/// <summary>Two connected byte streams: in memory, or the two ends of a real unix socket connection.</summary>
internal static class StreamPair
{
    public const string Memory = "memory";
    public const string Socket = "socket";

    public static (Stream A, Stream B) Create(string kind) => kind == Memory ? DuplexPipeStream.CreatePair() : SocketPair();

    public static (Stream A, Stream B) SocketPair()
    {
        string path = Path.Combine(Path.GetTempPath(), "airlock-mux-" + Guid.NewGuid().ToString("N"));
        using var listener = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var a = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        a.Connect(new UnixDomainSocketEndPoint(path));
        System.Net.Sockets.Socket b = listener.Accept();
        File.Delete(path);
        return (new NetworkStream(a, ownsSocket: true), new NetworkStream(b, ownsSocket: true));
    }
}
