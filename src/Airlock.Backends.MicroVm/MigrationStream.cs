using System.Buffers.Binary;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// Rewrites a QEMU (7.x) migration stream as a template keeps it: without the records that say "this page of guest RAM
/// is zero". A restore writes into a fresh QEMU whose RAM is zero already, but QEMU reads each such page to check it, and
/// on a host kernel that never maps the huge zero page for a read (this project's machines) every read allocates and
/// clears a 2 MiB page: all of a default guest's 640 MiB, ~1.2 s when the hypervisor has to back that memory again,
/// where the pages with data lie in ~60 of its 320 2 MiB regions. Pages below <see cref="KeepZeroPagesBelow"/> keep
/// their records: QEMU writes its own tables there at startup (the MP table at 0x9fc00), and the record clears them as
/// a full restore does. The rest of the stream (device state) is copied untouched. Checked by hand (session 19): the
/// guest RAM of a QEMU restored from a template's full stream and from the same stream without its zero pages, saved with
/// QMP pmemsave before the guest ran, were byte for byte the same (640 MiB); the restore took 1970 and 461 ms.
/// </summary>
internal static class MigrationStream
{
    /// <summary>Guest RAM offsets below this keep their zero-page records.</summary>
    public const long KeepZeroPagesBelow = 16L << 20;

    private const uint FileMagic = 0x5145564d; // "QEVM"
    private const byte SectionStart = 0x01;
    private const byte SectionPart = 0x02;
    private const byte SectionEnd = 0x03;
    private const byte SectionFooter = 0x7e;
    private const ulong FlagZero = 0x02;
    private const ulong FlagMemSize = 0x04;
    private const ulong FlagPage = 0x08;
    private const ulong FlagEos = 0x10;
    private const ulong FlagContinue = 0x20;
    private const ulong FlagMask = 0xfff;
    private const int PageSize = 4096;

    /// <summary>
    /// Writes <paramref name="stream"/> to <paramref name="output"/> without the zero-page records of the guest's main RAM
    /// block at or above <see cref="KeepZeroPagesBelow"/>, and says how many were left out; null when the stream holds
    /// anything this reader does not know (another QEMU's format, compression, a damaged file): what was written by
    /// then is not a stream, and the caller keeps the original instead.
    /// </summary>
    public static int? CopyWithoutZeroPages(ReadOnlySpan<byte> stream, Stream output)
    {
        if (stream.Length < 8 || BinaryPrimitives.ReadUInt32BigEndian(stream) != FileMagic) return null;
        var ramStart = FindRamSectionStart(stream);
        if (ramStart < 0) return null;
        output.Write(stream[..ramStart]);
        var reader = new Reader(stream, ramStart);
        var ramSection = uint.MaxValue;
        string? mainBlock = null;
        string? block = null; // a record's block is named once, then continued across sections
        var sent = new HashSet<long>(); // main-block pages already in the stream: a second record of one is kept
        var dropped = 0;
        while (true)
        {
            var sectionOffset = reader.Offset;
            if (!reader.TryByte(out var type)) return null;
            if (type is not (SectionStart or SectionPart or SectionEnd))
            {
                // The RAM sections are done; device state follows, copied as it is.
                output.Write(stream[sectionOffset..]);
                return dropped;
            }

            if (!reader.TryUInt32(out var section)) return null;
            if (type == SectionStart)
            {
                if (ramSection != uint.MaxValue || !reader.TryName(out var name) || name != "ram" || !reader.TryUInt32(out _) || !reader.TryUInt32(out _)) return null;
                ramSection = section;
            }
            else if (section != ramSection)
            {
                return null; // another iterative section than RAM: not what a template's QEMU sends
            }

            output.Write(stream[sectionOffset..reader.Offset]);
            if (!CopyRamRecords(ref reader, output, ref mainBlock, ref block, sent, ref dropped)) return null;
            var footerOffset = reader.Offset;
            if (reader.PeekByte() == SectionFooter)
            {
                if (!reader.TryByte(out _) || !reader.TryUInt32(out var footerSection) || footerSection != section) return null;
                output.Write(stream[footerOffset..reader.Offset]);
            }
        }
    }

    /// <summary>The offset of the RAM section's start: <c>01, id, 3, "ram", instance, version</c> after the file header and configuration.</summary>
    private static int FindRamSectionStart(ReadOnlySpan<byte> stream)
    {
        ReadOnlySpan<byte> ram = [3, (byte)'r', (byte)'a', (byte)'m'];
        var window = stream[..Math.Min(stream.Length, 4096)];
        for (var at = window.IndexOf(ram); at >= 0; at = NextIndex(window, ram, at))
        {
            if (at >= 5 && window[at - 5] == SectionStart) return at - 5;
        }

        return -1;
    }

    private static int NextIndex(ReadOnlySpan<byte> window, ReadOnlySpan<byte> value, int after)
    {
        var next = window[(after + 1)..].IndexOf(value);
        return next < 0 ? -1 : after + 1 + next;
    }

    /// <summary>One section's RAM records up to and including its end-of-section record, copied but for the zero pages dropped.</summary>
    private static bool CopyRamRecords(ref Reader reader, Stream output, ref string? mainBlock, ref string? block, HashSet<long> sent, ref int dropped)
    {
        string? lastWritten = null;
        Span<byte> header = stackalloc byte[8];
        while (true)
        {
            var recordOffset = reader.Offset;
            if (!reader.TryUInt64(out var word)) return false;
            var flags = word & FlagMask;
            var offset = (long)(word & ~FlagMask);
            if ((flags & FlagEos) != 0)
            {
                if (flags != FlagEos) return false;
                output.Write(reader.Span[recordOffset..reader.Offset]);
                return true;
            }

            if (flags == FlagMemSize)
            {
                // The block list: each block's name and size, until they add up to the total.
                // The largest is the guest's RAM; the others are ROMs and tables.
                long listed = 0;
                ulong largest = 0;
                while (listed < offset)
                {
                    if (!reader.TryName(out var name) || !reader.TryUInt64(out var length)) return false;
                    listed += (long)length;
                    if (length > largest)
                    {
                        largest = length;
                        mainBlock = name;
                    }
                }

                if (listed != offset) return false;
                output.Write(reader.Span[recordOffset..reader.Offset]);
                continue;
            }

            if ((flags & FlagContinue) == 0)
            {
                if (!reader.TryName(out var name)) return false;
                block = name;
            }
            else if (block is null)
            {
                return false;
            }

            var kind = flags & ~FlagContinue;
            var payloadOffset = reader.Offset;
            // A template's guest is stopped before it is saved, so each page comes once; were one sent again (changed
            // since), its zero record would have to overwrite the first, and is kept.
            var firstOfItsPage = block != mainBlock || sent.Add(offset);
            if (kind == FlagZero)
            {
                if (!reader.TryByte(out var fill)) return false;
                if (fill == 0 && block == mainBlock && offset >= KeepZeroPagesBelow && firstOfItsPage)
                {
                    dropped++;
                    continue;
                }
            }
            else if (kind == FlagPage)
            {
                if (!reader.TrySkip(PageSize)) return false;
            }
            else
            {
                return false; // compressed, XBZRLE, RDMA hooks: not a plain precopy stream
            }

            if (block == lastWritten && (flags & FlagContinue) != 0)
            {
                output.Write(reader.Span[recordOffset..reader.Offset]);
                continue;
            }

            // The record that named the block may have been dropped: name it again here.
            BinaryPrimitives.WriteUInt64BigEndian(header, word & ~FlagContinue);
            output.Write(header);
            output.WriteByte((byte)block.Length);
            output.Write(System.Text.Encoding.ASCII.GetBytes(block));
            output.Write(reader.Span[payloadOffset..reader.Offset]);
            lastWritten = block;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> span, int offset)
    {
        public readonly ReadOnlySpan<byte> Span = span;

        public int Offset { get; private set; } = offset;

        public readonly int PeekByte() => Offset < Span.Length ? Span[Offset] : -1;

        public bool TryByte(out byte value)
        {
            value = 0;
            if (Offset + 1 > Span.Length) return false;
            value = Span[Offset++];
            return true;
        }

        public bool TryUInt32(out uint value)
        {
            value = 0;
            if (Offset + 4 > Span.Length) return false;
            value = BinaryPrimitives.ReadUInt32BigEndian(Span[Offset..]);
            Offset += 4;
            return true;
        }

        public bool TryUInt64(out ulong value)
        {
            value = 0;
            if (Offset + 8 > Span.Length) return false;
            value = BinaryPrimitives.ReadUInt64BigEndian(Span[Offset..]);
            Offset += 8;
            return true;
        }

        public bool TrySkip(int count)
        {
            if (Offset + count > Span.Length) return false;
            Offset += count;
            return true;
        }

        /// <summary>A length byte and that many ASCII characters (a section's or a RAM block's name).</summary>
        public bool TryName(out string name)
        {
            name = "";
            if (!TryByte(out var length) || Offset + length > Span.Length) return false;
            name = System.Text.Encoding.ASCII.GetString(Span.Slice(Offset, length));
            Offset += length;
            return true;
        }
    }
}
