using System.Security.Cryptography;

namespace Airlock.Guest.Protocol.Mux;

public sealed partial class MuxSession
{
    /// <summary>
    /// Starts a session as the opener: filler, Hello with a fresh nonce, then skips whatever the peer sent
    /// until its answer with that nonce (a serial port may hold output of an earlier session).
    /// Throws <see cref="TimeoutException"/> when no answer comes within <paramref name="timeout"/>, and
    /// <see cref="IOException"/> when the stream ends; the link is then unusable.
    /// </summary>
    public static async Task<MuxSession> ConnectAsync(MuxLink link, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(MuxProtocol.NonceSize);
        byte[] hello = MuxProtocol.Hello(nonce);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await link.WriteRawAsync(new byte[MuxProtocol.HelloFiller], deadline.Token);
            await link.WriteRawAsync(hello, deadline.Token);
            if (!await link.SkipPastAsync(hello, deadline.Token))
            {
                throw new IOException("the mux stream ended before the peer answered the session start");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the peer did not answer the session start within {timeout.TotalSeconds:0.#} s");
        }

        return new MuxSession(link, isOpener: true);
    }

    /// <summary>
    /// Starts a session as the acceptor: skips bytes up to the opener's Hello and answers it.
    /// Returns null when the stream ends first (for a serial port: no host is connected right now).
    /// </summary>
    public static async Task<MuxSession?> AcceptAsync(MuxLink link, CancellationToken cancellationToken = default)
    {
        if (!await link.SkipPastAsync(MuxProtocol.HelloPrefix(), cancellationToken)
            || !await link.FillAsync(MuxProtocol.NonceSize, cancellationToken))
        {
            return null;
        }

        byte[] hello = MuxProtocol.Hello(link.Buffered[..MuxProtocol.NonceSize]);
        link.Consume(MuxProtocol.NonceSize);
        await link.WriteRawAsync(hello, cancellationToken);
        return new MuxSession(link, isOpener: false);
    }
}
