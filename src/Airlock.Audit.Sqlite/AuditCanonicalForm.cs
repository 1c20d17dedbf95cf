using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// The bytes a record's hash is taken over. This is a contract: an exported trail is checked by other tools
/// (a SIEM, a script) with nothing but this description, so it never changes for a given version tag.
/// </summary>
/// <remarks>
/// <para>
/// <c>hash = lowercase hex of SHA-256(canonical)</c>, where <c>canonical</c> is the concatenation of these
/// fields, in this order, each written as a netstring: the decimal count of its UTF-8 bytes, <c>:</c>, the
/// UTF-8 bytes, <c>,</c> (so <c>"exec"</c> is <c>4:exec,</c>). Length prefixes make the form unambiguous
/// whatever the values contain (newlines, colons, commas).
/// </para>
/// <list type="number">
/// <item>the version tag <c>airlock.audit.v1</c></item>
/// <item>the sequence number, decimal, no sign, no leading zeros</item>
/// <item>the time as Unix milliseconds (UTC), decimal; records keep millisecond precision only</item>
/// <item>kind</item>
/// <item>actor</item>
/// <item>outcome</item>
/// <item>sandbox id, the empty string when there is none (an empty id and no id are the same)</item>
/// <item>the number of details, decimal</item>
/// <item>each detail as two fields, key then value, keys in ascending order of their UTF-8 bytes (Unicode code point order)</item>
/// <item>the previous record's hash, 64 lowercase hex digits (64 zeros before record 1)</item>
/// </list>
/// <para>
/// Example: record 1 of kind <c>exec</c> by <c>admin</c>, outcome <c>ok</c>, sandbox <c>sb-1</c>, at
/// 1700000000000 ms, with details <c>{exit: "0"}</c>, hashes the bytes
/// <c>16:airlock.audit.v1,1:1,13:1700000000000,4:exec,5:admin,2:ok,4:sb-1,1:1,4:exit,1:0,64:000…000,</c>.
/// </para>
/// </remarks>
internal static class AuditCanonicalForm
{
    public const string VersionTag = "airlock.audit.v1";

    /// <summary>The previous hash of record 1.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>Field 1 as written, the same in every record.</summary>
    private static readonly byte[] VersionField = Encoding.ASCII.GetBytes($"{VersionTag.Length}:{VersionTag},");

    /// <summary>Reused per appending thread: encoding is on every append's path.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_eventFields;

    public static string Hash(long sequence, long unixMilliseconds, AuditEvent auditEvent, string previousHash) =>
        Hash(sequence, unixMilliseconds, EventFields(auditEvent), previousHash, new ArrayBufferWriter<byte>(256));

    /// <summary>
    /// Fields 4 to 9 (kind to details): everything that does not depend on the record's place in the chain, so
    /// that appenders encode it on their own threads and the single writer only adds sequence, time and link.
    /// </summary>
    public static byte[] EventFields(AuditEvent auditEvent) => EventFields(auditEvent, [.. SortedKeys(auditEvent.Details)]);

    /// <summary><see cref="EventFields(AuditEvent)"/> with the detail keys already in <see cref="SortedKeys"/> order.</summary>
    public static byte[] EventFields(AuditEvent auditEvent, IReadOnlyList<string> sortedKeys)
    {
        var buffer = t_eventFields ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        Field(buffer, auditEvent.Kind);
        Field(buffer, auditEvent.Actor);
        Field(buffer, auditEvent.Outcome);
        Field(buffer, auditEvent.SandboxId ?? "");
        Field(buffer, auditEvent.Details.Count);
        foreach (var key in sortedKeys)
        {
            Field(buffer, key);
            Field(buffer, auditEvent.Details[key]);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The hash given <see cref="EventFields"/>; <paramref name="scratch"/> is reused between calls by the one writer.</summary>
    public static string Hash(long sequence, long unixMilliseconds, ReadOnlySpan<byte> eventFields, string previousHash, ArrayBufferWriter<byte> scratch)
    {
        scratch.ResetWrittenCount();
        scratch.Write(VersionField);
        Field(scratch, sequence);
        Field(scratch, unixMilliseconds);
        scratch.Write(eventFields);
        Field(scratch, previousHash);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(scratch.WrittenSpan, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Keys in UTF-8 byte order, which is code point order; UTF-16 ordinal order differs for characters above U+FFFF.</summary>
    public static IEnumerable<string> SortedKeys(IReadOnlyDictionary<string, string> details) =>
        details.Count <= 1 ? details.Keys : details.Keys.Order(CodePointComparer.Instance);

    private static void Field(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var prefix = length.ToString(CultureInfo.InvariantCulture);
        var span = buffer.GetSpan(prefix.Length + length + 2);
        var written = Encoding.ASCII.GetBytes(prefix, span);
        span[written++] = (byte)':';
        written += Encoding.UTF8.GetBytes(value, span[written..]);
        span[written++] = (byte)',';
        buffer.Advance(written);
    }

    /// <summary>A number as its decimal digits, written without a string in between.</summary>
    private static void Field(ArrayBufferWriter<byte> buffer, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        if (!Utf8Formatter.TryFormat(value, digits, out var length)) throw new UnreachableException();
        var span = buffer.GetSpan(length + 4);
        var written = Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture), span);
        span[written++] = (byte)':';
        digits[..length].CopyTo(span[written..]);
        written += length;
        span[written++] = (byte)',';
        buffer.Advance(written);
    }

    private sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var left = (x ?? "").EnumerateRunes();
            var right = (y ?? "").EnumerateRunes();
            while (true)
            {
                var hasLeft = left.MoveNext();
                var hasRight = right.MoveNext();
                if (!hasLeft || !hasRight) return hasLeft.CompareTo(hasRight);
                var order = left.Current.Value.CompareTo(right.Current.Value);
                if (order != 0) return order;
            }
        }
    }
}
