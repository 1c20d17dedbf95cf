using System.Buffers.Binary;
using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Tests.Mux;

/// <summary>
/// The bridge runs on the host and talks to a guest that may be compromised: whatever the guest sends,
/// the bridge's session must end cleanly with a protocol violation, never allocate what a header claims,
/// and never wait for bytes a lying header promised.
/// </summary>
public sealed class HostileMuxPeerTests
{
    public static TheoryData<string, byte[]> Violations => new()
    {
        { "a 4 GiB payload (never sent)", Header(1, MuxFrameKind.Data, uint.MaxValue) },
        { "a payload just over the cap", Header(1, MuxFrameKind.Data, MuxProtocol.MaxPayload + 1) },
        { "an unknown kind", Header(1, (MuxFrameKind)99, 0) },
        { "a zero kind", new byte[MuxProtocol.HeaderSize] },
        { "data on a channel never opened", Frame(7, MuxFrameKind.Data, new byte[10]) },
        { "data on channel 0", Frame(0, MuxFrameKind.Data, new byte[10]) },
        { "an open from the guest", Frame(2, MuxFrameKind.Open, []) },
        { "a second hello", MuxProtocol.Hello(new byte[MuxProtocol.NonceSize]) },
        { "credit for bytes never sent", Frame(1, MuxFrameKind.Window, [0, 0, 0, 1]) },
        { "a window frame of the wrong size", Frame(1, MuxFrameKind.Window, [0, 0, 1]) },
        { "data beyond the window", [.. Enumerable.Range(0, 5).SelectMany(_ => Frame(1, MuxFrameKind.Data, new byte[MuxProtocol.MaxPayload]))] },
        { "data after close", [.. Frame(1, MuxFrameKind.Close, []), .. Frame(1, MuxFrameKind.Data, [1])] },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Bridge_WhenGuestBreaksTheProtocol_EndsTheSessionAndFailsItsChannels(string what, byte[] frames)
    {
        var (bridgeEnd, guestEnd) = StreamPair.SocketPair();
        await using (guestEnd)
        {
            Task<MuxSession> connecting = MuxSession.ConnectAsync(new MuxLink(bridgeEnd), TimeSpan.FromSeconds(10));
            await AnswerHelloAsync(guestEnd);
            await using MuxSession session = await connecting;
            MuxChannelStream channel = await session.OpenChannelAsync();
            await guestEnd.WriteAsync(frames);

            await session.Completion.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Contains("protocol violation", session.EndReason?.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<IOException>(() => DrainAsync(channel).WaitAsync(TimeSpan.FromSeconds(5)));
            await Assert.ThrowsAsync<IOException>(() => channel.WriteAsync(new byte[1]).AsTask());
            _ = what;
        }
    }

    [Fact]
    public async Task Bridge_WhenGuestNeverAnswers_GivesUpAfterTheHandshakeTimeout()
    {
        var (bridgeEnd, guestEnd) = StreamPair.SocketPair();
        await using (guestEnd)
        {
            _ = guestEnd.CopyToAsync(Stream.Null);
            Task connecting = MuxSession.ConnectAsync(new MuxLink(bridgeEnd), TimeSpan.FromMilliseconds(500));
            await guestEnd.WriteAsync(new byte[1024 * 1024]); // garbage is skipped, never buffered whole
            await Assert.ThrowsAsync<TimeoutException>(() => connecting.WaitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    /// <summary>Reads until the channel fails (whatever arrived before the violation is still readable).</summary>
    private static async Task DrainAsync(Stream channel)
    {
        byte[] buffer = new byte[64 * 1024];
        while (await channel.ReadAsync(buffer) > 0)
        {
        }
    }

    /// <summary>Plays the agent's side of the handshake by hand: find the Hello, echo it.</summary>
    private static async Task AnswerHelloAsync(Stream guest)
    {
        byte[] prefix = MuxProtocol.HelloPrefix();
        using var seen = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        while (true)
        {
            int n = await guest.ReadAsync(chunk);
            Assert.NotEqual(0, n);
            seen.Write(chunk, 0, n);
            byte[] all = seen.ToArray();
            int at = all.AsSpan().IndexOf(prefix);
            if (at >= 0 && all.Length >= at + prefix.Length + MuxProtocol.NonceSize)
            {
                await guest.WriteAsync(all.AsMemory(at, prefix.Length + MuxProtocol.NonceSize));
                return;
            }
        }
    }

    private static byte[] Header(uint channel, MuxFrameKind kind, uint length)
    {
        byte[] header = new byte[MuxProtocol.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, channel);
        header[4] = (byte)kind;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5), length);
        return header;
    }

    private static byte[] Frame(uint channel, MuxFrameKind kind, byte[] payload) => [.. Header(channel, kind, (uint)payload.Length), .. payload];
}
