using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Airlock.Egress;

/// <summary>
/// Where a connection nftables redirected to the transparent listener was really going: getsockopt(SO_ORIGINAL_DST)
/// on the accepted socket, answered by conntrack. Read through Socket.GetRawSocketOption, so no P/Invoke is needed.
/// </summary>
internal static class OriginalDestination
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80; // SO_ORIGINAL_DST and IP6T_SO_ORIGINAL_DST share the number

    /// <summary>
    /// The original destination, or null when the connection was not redirected: conntrack has no entry (ENOENT), or —
    /// once the kernel tracks connections at all (any nat table loaded) — the entry's destination is the socket's own.
    /// </summary>
    public static IPEndPoint? Read(Socket socket)
    {
        var original = ReadRaw(socket);
        return original is not null && original.Equals(socket.LocalEndPoint) ? null : original;
    }

    private static IPEndPoint? ReadRaw(Socket socket)
    {
        try
        {
            Span<byte> address = stackalloc byte[28];
            if (socket.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.GetRawSocketOption(SolIpv6, SoOriginalDst, address);
                return new IPEndPoint(new IPAddress(address.Slice(8, 16)), BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
            }

            socket.GetRawSocketOption(SolIp, SoOriginalDst, address[..16]);
            return new IPEndPoint(new IPAddress(address.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
