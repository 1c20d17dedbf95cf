using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Airlock.Egress;

/// <summary>
/// The little of RFC 1035 the gateway needs: read a query's one question, write an answer or a refusal, and read the
/// A/AAAA records of an upstream answer. Anything it does not understand is refused, never passed on.
/// </summary>
internal static class DnsMessage
{
    public const ushort TypeA = 1;
    public const ushort TypeAaaa = 28;
    public const byte NoError = 0;
    public const byte FormatError = 1;
    public const byte ServerFailure = 2;
    public const byte Refused = 5;

    private const int HeaderLength = 12;

    /// <summary>The question of a query; false when the message is not a well-formed one-question query.</summary>
    public static bool TryReadQuestion(ReadOnlySpan<byte> message, out DnsQuestion question)
    {
        question = default;
        if (message.Length < HeaderLength || (message[2] & 0x80) != 0) return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != 1) return false;
        var at = HeaderLength;
        if (!TryReadName(message, ref at, out var name) || at + 4 > message.Length) return false;
        question = new DnsQuestion(
            BinaryPrimitives.ReadUInt16BigEndian(message),
            name,
            BinaryPrimitives.ReadUInt16BigEndian(message[at..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[(at + 2)..]),
            at + 4,
            (message[2] & 0x01) != 0);
        return true;
    }

    /// <summary>A reply to <paramref name="query"/> carrying <paramref name="answers"/> (of the question's type) and <paramref name="rcode"/>.</summary>
    public static byte[] Reply(ReadOnlySpan<byte> query, DnsQuestion question, byte rcode, IReadOnlyList<IPAddress> answers, uint ttl = 30)
    {
        var records = answers.Where(a => Matches(question.Type, a)).ToList();
        var size = question.End + records.Sum(a => 12 + a.GetAddressBytes().Length);
        var reply = new byte[size];
        query[..question.End].CopyTo(reply);
        reply[2] = (byte)(0x80 | (query[2] & 0x79)); // QR, opcode and RD kept; AA, TC cleared
        reply[3] = (byte)(0x80 | rcode);              // RA
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), (ushort)records.Count);
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(8), 0);
        var at = question.End;
        foreach (var address in records)
        {
            var bytes = address.GetAddressBytes();
            var r = reply.AsSpan(at);
            BinaryPrimitives.WriteUInt16BigEndian(r, 0xC00C); // pointer to the question's name
            BinaryPrimitives.WriteUInt16BigEndian(r[2..], question.Type);
            BinaryPrimitives.WriteUInt16BigEndian(r[4..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(r[6..], ttl);
            BinaryPrimitives.WriteUInt16BigEndian(r[10..], (ushort)bytes.Length);
            bytes.CopyTo(r[12..]);
            at += 12 + bytes.Length;
        }

        return reply;
    }

    /// <summary>A header-only error reply for a message whose question could not be read.</summary>
    public static byte[] Error(ReadOnlySpan<byte> query, byte rcode)
    {
        var reply = new byte[HeaderLength];
        if (query.Length >= 2) query[..2].CopyTo(reply);
        reply[2] = 0x80;
        reply[3] = (byte)(0x80 | rcode);
        return reply;
    }

    /// <summary>A recursive query for <paramref name="name"/>, for the upstream resolver.</summary>
    public static byte[] Query(ushort id, string name, ushort type)
    {
        var labels = name.TrimEnd('.').Split('.');
        var message = new byte[HeaderLength + labels.Sum(l => l.Length + 1) + 1 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        message[2] = 0x01; // RD
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 1);
        var at = HeaderLength;
        foreach (var label in labels)
        {
            message[at++] = (byte)label.Length;
            at += Encoding.ASCII.GetBytes(label, message.AsSpan(at));
        }

        message[at++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), type);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 2), 1);
        return message;
    }

    /// <summary>The A and AAAA records in an upstream answer to query <paramref name="id"/>; empty for anything else.</summary>
    public static IReadOnlyList<IPAddress> ReadAddresses(ReadOnlySpan<byte> message, ushort id)
    {
        var result = new List<IPAddress>();
        if (message.Length < HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(message) != id || (message[3] & 0x0F) != NoError) return result;
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var at = HeaderLength;
        for (var i = 0; i < questions; i++)
        {
            if (!TryReadName(message, ref at, out _)) return result;
            at += 4;
        }

        for (var i = 0; i < answers && at < message.Length; i++)
        {
            if (!TryReadName(message, ref at, out _) || at + 10 > message.Length) return result;
            var type = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 8)..]);
            at += 10;
            if (at + length > message.Length) return result;
            if ((type == TypeA && length == 4) || (type == TypeAaaa && length == 16)) result.Add(new IPAddress(message.Slice(at, length)));
            at += length;
        }

        return result;
    }

    private static bool Matches(ushort type, IPAddress address) =>
        (type == TypeA && address.AddressFamily == AddressFamily.InterNetwork) ||
        (type == TypeAaaa && address.AddressFamily == AddressFamily.InterNetworkV6);

    /// <summary>Reads a name, following compression pointers (bounded, so a pointer loop cannot hang the server).</summary>
    private static bool TryReadName(ReadOnlySpan<byte> message, ref int at, out string name)
    {
        name = "";
        var text = new StringBuilder();
        var position = at;
        var jumped = false;
        for (var hops = 0; hops < 64; hops++)
        {
            if (position >= message.Length) return false;
            var length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length) return false;
                if (!jumped) at = position + 2;
                jumped = true;
                position = ((length & 0x3F) << 8) | message[position + 1];
                continue;
            }

            if (length > 63) return false;
            if (length == 0)
            {
                if (!jumped) at = position + 1;
                name = text.ToString().ToLowerInvariant();
                return text.Length <= 253;
            }

            if (position + 1 + length > message.Length) return false;
            if (text.Length > 0) text.Append('.');
            text.Append(Encoding.ASCII.GetString(message.Slice(position + 1, length)));
            position += 1 + length;
        }

        return false;
    }
}
