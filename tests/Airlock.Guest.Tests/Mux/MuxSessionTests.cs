using System.Diagnostics;
using System.Security.Cryptography;
using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Tests.Mux;

public sealed class MuxSessionTests
{
    public static TheoryData<string> Transports => [StreamPair.Memory, StreamPair.Socket];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ManyConcurrentChannels_EachEchoesExactlyItsOwnBytes(string transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        Task server = EchoServerAsync(mux.Acceptor);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            byte[] sent = RandomNumberGenerator.GetBytes(10_000 + (i * 7919));
            await using MuxChannelStream channel = await mux.Opener.OpenChannelAsync();
            Task writing = Task.Run(async () =>
            {
                await channel.WriteAsync(sent);
                await channel.CompleteWritesAsync();
            });
            byte[] received = await ReadToEndAsync(channel);
            await writing;
            Assert.Equal(sent, received);
        }));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A50MegabyteChannel_NeitherBlocksSmallChannelsNorBuffersBeyondItsWindow(string transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        const int Big = 50 * 1024 * 1024;
        byte[] content = RandomNumberGenerator.GetBytes(Big);
        var (bigOpened, bigAccepted) = await mux.ChannelAsync();
        long sent = 0;
        Task sending = Task.Run(async () =>
        {
            for (int at = 0; at < Big; at += 100_000)
            {
                int n = Math.Min(100_000, Big - at);
                await bigAccepted.WriteAsync(content.AsMemory(at, n));
                Interlocked.Add(ref sent, n);
            }

            await bigAccepted.CompleteWritesAsync();
        });
        Task server = EchoServerAsync(mux.Acceptor);

        // Nobody reads the big channel yet: the sender stalls at the window instead of filling memory...
        await Task.Delay(500);
        Assert.InRange(Interlocked.Read(ref sent), MuxProtocol.Window / 2, MuxProtocol.Window + 100_000);

        // ...and small channels still answer at once.
        await AssertSmallRoundTripsAreFastAsync(mux.Opener, 20);

        // The same while the big channel streams at full speed.
        Task<byte[]> reading = ReadToEndAsync(bigOpened);
        await AssertSmallRoundTripsAreFastAsync(mux.Opener, 20);
        byte[] received = await reading;
        await sending;
        Assert.True(content.AsSpan().SequenceEqual(received), "the 50 MB channel's bytes differ");
        await bigOpened.DisposeAsync();
        await bigAccepted.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task HalfClose_EachDirectionEndsOnItsOwn(string transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);
        var (opened, accepted) = await mux.ChannelAsync();

        await opened.WriteAsync("request"u8.ToArray());
        await opened.CompleteWritesAsync();
        Assert.Equal("request"u8.ToArray(), await ReadToEndAsync(accepted));

        // The other direction still works after the half-close.
        await accepted.WriteAsync("reply"u8.ToArray());
        await accepted.DisposeAsync(); // both sides done: a graceful Close
        Assert.Equal("reply"u8.ToArray(), await ReadToEndAsync(opened));
        await opened.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Dispose_BeforeThePeerFinished_ResetsTheChannelForThePeer(string transport)
    {
        await using var mux = await MuxPair.StartAsync(transport);

        // Bridge side drops the operation (the host cancelled an exec): the agent's pending read fails.
        var (opened, accepted) = await mux.ChannelAsync();
        Task<int> pending = accepted.ReadAsync(new byte[16]).AsTask();
        await opened.DisposeAsync();
        await Assert.ThrowsAsync<IOException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));

        // Agent side gives up (an error reply, then close) while the host still writes: the host reads
        // the reply, and its writes fail instead of waiting forever for credit.
        var (opened2, accepted2) = await mux.ChannelAsync();
        await accepted2.WriteAsync("error"u8.ToArray());
        await accepted2.DisposeAsync();
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await opened2.WriteAsync(new byte[64 * 1024]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
        });
        byte[] reply = new byte[5];
        await opened2.ReadExactlyAsync(reply);
        Assert.Equal("error"u8.ToArray(), reply);
        await Assert.ThrowsAsync<IOException>(() => opened2.ReadAsync(new byte[1]).AsTask());
        await opened2.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WhenTheStreamEnds_EveryChannelAndTheSessionFail(string transport)
    {
        var mux = await MuxPair.StartAsync(transport);
        var channels = new List<MuxChannelStream>();
        for (int i = 0; i < 5; i++)
        {
            channels.Add((await mux.ChannelAsync()).Opened);
        }

        Task<int> pending = channels[0].ReadAsync(new byte[1]).AsTask();
        await mux.AcceptorStream.DisposeAsync();

        await Assert.ThrowsAsync<IOException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));
        await mux.Opener.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<IOException>(mux.Opener.EndReason);
        foreach (MuxChannelStream channel in channels)
        {
            await Assert.ThrowsAsync<IOException>(async () => await channel.WriteAsync(new byte[1]));
        }

        await Assert.ThrowsAsync<IOException>(() => mux.Opener.OpenChannelAsync());
        await Assert.ThrowsAsync<IOException>(() => mux.Acceptor.AcceptChannelAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        await mux.DisposeAsync();
    }

    private static async Task AssertSmallRoundTripsAreFastAsync(MuxSession opener, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            await using MuxChannelStream channel = await opener.OpenChannelAsync();
            await channel.WriteAsync("ping"u8.ToArray());
            await channel.CompleteWritesAsync();
            byte[] echoed = await ReadToEndAsync(channel).WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("ping"u8.ToArray(), echoed);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"a small round trip took {clock.Elapsed}");
        }
    }

    /// <summary>Echoes every accepted channel until the session ends.</summary>
    private static async Task EchoServerAsync(MuxSession acceptor)
    {
        try
        {
            while (true)
            {
                MuxChannelStream channel = await acceptor.AcceptChannelAsync();
                _ = Task.Run(async () =>
                {
                    await using (channel)
                    {
                        await channel.CopyToAsync(channel);
                        await channel.CompleteWritesAsync();
                    }
                });
            }
        }
        catch (IOException)
        {
        }
    }

    internal static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
