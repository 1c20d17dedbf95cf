using System.Buffers.Binary;
using System.Text;

namespace Airlock.Backends.MicroVm.Tests;

/// <summary>
/// The template state's rewrite on a stream laid out as QEMU 7.2 writes one (header, configuration, the RAM section's
/// start, parts and end with footers, then device state). The live round trip, a restored guest that runs, is
/// MicroVmSandboxTests' template tests.
/// </summary>
public sealed class MigrationStreamTests
{
    private const long Mib = 1 << 20;

    [Fact]
    public void ZeroPagesOfTheGuestRam_AboveTheKeptRange_AreLeftOut_UnlessSentBefore_AndEverythingElseSurvivesInOrder()
    {
        var page = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        var stream = new StreamWriter()
            .Start()
            .Page("microvm.ram", 0, page).Zero(null, 4096).Zero(null, 32 * Mib).Page(null, 32 * Mib + 4096, page).Zero("pc.bios", 0)
            .Eos().Footer()
            .Section(0x03).Zero("microvm.ram", 48 * Mib).Page(null, 48 * Mib + 4096, page).Zero(null, 40 * Mib, fill: 0x5a)
            .Zero(null, 32 * Mib + 4096)
            .Eos().Footer()
            .Devices()
            .ToArray();

        var output = new MemoryStream();
        var dropped = MigrationStream.CopyWithoutZeroPages(stream, output);
        var result = output.ToArray();

        Assert.Equal(2, dropped);
        Assert.Equal(
            [
                "microvm.ram page 0", "microvm.ram zero 4096", "microvm.ram page 33558528", "pc.bios zero 0",
                "microvm.ram page 50335744", "microvm.ram zero 41943040 fill 90", "microvm.ram zero 33558528",
            ],
            StreamWriter.Records(result));
        Assert.Equal(StreamWriter.DeviceState, result.AsSpan(result.Length - StreamWriter.DeviceState.Length).ToArray());
        // Dropped: a continued zero record (8 + 1 bytes) and one naming its block (8 + 1 + 11 + 1); the page after the
        // latter names the block again (1 + 11). The zero record of a page sent before (with data) is kept: it changed.
        Assert.Equal(stream.Length - 9 - 21 + 12, result.Length);
    }

    [Fact]
    public void AStreamItDoesNotKnow_IsLeftAlone()
    {
        var good = new StreamWriter().Start().Page("microvm.ram", 0, new byte[4096]).Eos().Footer().Devices().ToArray();
        Assert.NotNull(MigrationStream.CopyWithoutZeroPages(good, new MemoryStream()));

        var compressed = new StreamWriter().Start().Raw(0x100).Eos().Footer().Devices().ToArray();
        Assert.Null(MigrationStream.CopyWithoutZeroPages(compressed, new MemoryStream()));
        Assert.Null(MigrationStream.CopyWithoutZeroPages(good.AsSpan(0, good.Length / 2), new MemoryStream()));
        Assert.Null(MigrationStream.CopyWithoutZeroPages(Encoding.ASCII.GetBytes("not a migration stream at all"), new MemoryStream()));
        var otherSection = new StreamWriter().Start().Eos().Footer().Section(0x02, sectionId: 9).Eos().Footer().Devices().ToArray();
        Assert.Null(MigrationStream.CopyWithoutZeroPages(otherSection, new MemoryStream()));
    }

    private sealed class StreamWriter
    {
        public static readonly byte[] DeviceState = [0x04, 0, 0, 0, 5, 5, (byte)'t', (byte)'i', (byte)'m', (byte)'e', (byte)'r', 1, 2, 3, 0x1f];

        private readonly MemoryStream _bytes = new();

        public StreamWriter Start()
        {
            UInt32(0x5145564d);
            UInt32(3);
            _bytes.WriteByte(0x07);
            UInt32(7);
            _bytes.Write("microvm"u8);
            _bytes.WriteByte(0x01);
            UInt32(2);
            Name("ram");
            UInt32(0);
            UInt32(4);
            UInt64((ulong)(64 * Mib + 65536) | 0x04);
            Name("microvm.ram");
            UInt64((ulong)(64 * Mib));
            Name("pc.bios");
            UInt64(65536);
            return Eos().Footer().Section(0x02);
        }

        public StreamWriter Section(byte type, uint sectionId = 2)
        {
            _bytes.WriteByte(type);
            UInt32(sectionId);
            return this;
        }

        public StreamWriter Page(string? block, long offset, byte[] data)
        {
            Header(block, offset, 0x08);
            _bytes.Write(data);
            return this;
        }

        public StreamWriter Zero(string? block, long offset, byte fill = 0)
        {
            Header(block, offset, 0x02);
            _bytes.WriteByte(fill);
            return this;
        }

        public StreamWriter Raw(ulong flags)
        {
            UInt64(flags);
            return this;
        }

        public StreamWriter Eos() => Raw(0x10);

        public StreamWriter Footer()
        {
            _bytes.WriteByte(0x7e);
            UInt32(2);
            return this;
        }

        public StreamWriter Devices()
        {
            _bytes.Write(DeviceState);
            return this;
        }

        public byte[] ToArray() => _bytes.ToArray();

        /// <summary>Every page record of a stream written this way, read back independently of the code under test.</summary>
        public static List<string> Records(byte[] stream)
        {
            var records = new List<string>();
            var at = 0x14 + 1 + 4 + 4 + 4 + 4; // header, configuration, the start section's header
            string? block = null;
            while (true)
            {
                var word = BinaryPrimitives.ReadUInt64BigEndian(stream.AsSpan(at));
                at += 8;
                var flags = word & 0xfff;
                if (flags == 0x10)
                {
                    at += 5; // footer
                    if (stream[at] is not (0x02 or 0x03)) return records;
                    at += 5;
                    continue;
                }

                if (flags == 0x04)
                {
                    at += 1 + "microvm.ram".Length + 8 + 1 + "pc.bios".Length + 8;
                    continue;
                }

                if ((flags & 0x20) == 0)
                {
                    block = Encoding.ASCII.GetString(stream, at + 1, stream[at]);
                    at += 1 + stream[at];
                }

                var offset = (long)(word & ~0xfffUL);
                if ((flags & 0x08) != 0)
                {
                    records.Add($"{block} page {offset}");
                    at += 4096;
                }
                else
                {
                    records.Add(stream[at] == 0 ? $"{block} zero {offset}" : $"{block} zero {offset} fill {stream[at]}");
                    at += 1;
                }
            }
        }

        private void Header(string? block, long offset, ulong kind)
        {
            UInt64((ulong)offset | kind | (block is null ? 0x20UL : 0));
            if (block is not null) Name(block);
        }

        private void Name(string name)
        {
            _bytes.WriteByte((byte)name.Length);
            _bytes.Write(Encoding.ASCII.GetBytes(name));
        }

        private void UInt32(uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            _bytes.Write(bytes);
        }

        private void UInt64(ulong value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
            _bytes.Write(bytes);
        }
    }
}
