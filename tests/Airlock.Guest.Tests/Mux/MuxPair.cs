using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Tests.Mux;

/// <summary>An opener session (the bridge's role) and an acceptor session (the agent's) over one stream pair.</summary>
internal sealed class MuxPair : IAsyncDisposable
{
    private MuxPair(MuxSession opener, MuxSession acceptor, Stream openerStream, Stream acceptorStream)
    {
        Opener = opener;
        Acceptor = acceptor;
        OpenerStream = openerStream;
        AcceptorStream = acceptorStream;
    }

    public MuxSession Opener { get; }

    public MuxSession Acceptor { get; }

    public Stream OpenerStream { get; }

    public Stream AcceptorStream { get; }

    public static async Task<MuxPair> StartAsync(string kind)
    {
        var (a, b) = StreamPair.Create(kind);
        Task<MuxSession?> accepting = MuxSession.AcceptAsync(new MuxLink(b));
        MuxSession opener = await MuxSession.ConnectAsync(new MuxLink(a), TimeSpan.FromSeconds(10));
        MuxSession acceptor = await accepting ?? throw new InvalidOperationException("the acceptor saw no session start");
        return new MuxPair(opener, acceptor, a, b);
    }

    /// <summary>Opens a channel and returns both of its ends.</summary>
    public async Task<(MuxChannelStream Opened, MuxChannelStream Accepted)> ChannelAsync()
    {
        MuxChannelStream opened = await Opener.OpenChannelAsync();
        MuxChannelStream accepted = await Acceptor.AcceptChannelAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (opened, accepted);
    }

    public async ValueTask DisposeAsync()
    {
        await Opener.DisposeAsync();
        await Acceptor.DisposeAsync();
    }
}
