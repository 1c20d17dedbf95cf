using System.Buffers.Binary;
using System.Text;

namespace Airlock.Egress;

/// <summary>Reads the server name (SNI) from a TLS ClientHello without terminating anything.</summary>
internal static class TlsClientHello
{
    /// <summary>The TLS record header: handshake (22), version major 3.</summary>
    public static bool IsHandshake(ReadOnlySpan<byte> start) => start.Length >= 3 && start[0] == 22 && start[1] == 3;

    /// <summary>Length of the first record, header included; call once 5 bytes are buffered.</summary>
    public static int RecordLength(ReadOnlySpan<byte> start) => 5 + BinaryPrimitives.ReadUInt16BigEndian(start[3..]);

    /// <summary>The host_name in the server_name extension, lower-case; null when absent or malformed.</summary>
    public static string? ServerName(ReadOnlySpan<byte> record)
    {
        try
        {
            var r = record[5..];
            if (r[0] != 1) return null; // not a ClientHello
            r = r[4..];                  // handshake type + 24-bit length
            r = r[(2 + 32)..];           // client version, random
            r = r[(1 + r[0])..];         // session id
            r = r[(2 + BinaryPrimitives.ReadUInt16BigEndian(r))..]; // cipher suites
            r = r[(1 + r[0])..];         // compression methods
            var extensions = r.Slice(2, BinaryPrimitives.ReadUInt16BigEndian(r));
            while (extensions.Length >= 4)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
                var length = BinaryPrimitives.ReadUInt16BigEndian(extensions[2..]);
                var data = extensions.Slice(4, length);
                extensions = extensions[(4 + length)..];
                if (type != 0) continue;
                var names = data.Slice(2, BinaryPrimitives.ReadUInt16BigEndian(data));
                while (names.Length >= 3)
                {
                    var nameLength = BinaryPrimitives.ReadUInt16BigEndian(names[1..]);
                    if (names[0] == 0) return Encoding.ASCII.GetString(names.Slice(3, nameLength)).ToLowerInvariant();
                    names = names[(3 + nameLength)..];
                }
            }

            return null;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // A truncated or lying length field: treat as no name, which leaves only address rules to allow it.
            return null;
        }
    }
}
