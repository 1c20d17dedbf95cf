using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Bridge;

/// <summary>
/// Copies one host operation connection to and from its mux channel, keeping socket semantics end to end:
/// the host's half-close becomes the channel's Close; the guest finishing (or resetting) closes the host
/// connection; the host dropping the connection resets the channel, and the agent reacts as to a dropped
/// connection (an exec's command is killed).
/// </summary>
internal static class OperationForwarder
{
    private const int ChunkSize = MuxProtocol.MaxPayload;

    public static async Task ForwardAsync(Stream host, MuxChannelStream channel)
    {
        await using (host)
        await using (channel)
        {
            Task up = HostToGuestAsync(host, channel);
            await GuestToHostAsync(channel, host);

            // The guest is done with the operation: closing the host side ends the other direction too.
            await host.DisposeAsync();
            await up;
        }
    }

    private static async Task HostToGuestAsync(Stream host, MuxChannelStream channel)
    {
        byte[] buffer = new byte[ChunkSize];
        while (true)
        {
            int n;
            try
            {
                n = await host.ReadAsync(buffer);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The host dropped the connection: reset the channel (unless the guest already finished).
                await channel.DisposeAsync();
                return;
            }

            try
            {
                if (n == 0)
                {
                    await channel.CompleteWritesAsync();
                    return;
                }

                await channel.WriteAsync(buffer.AsMemory(0, n));
            }
            catch (IOException)
            {
                // The guest reset the channel or the session ended. Stop reading the host, but leave the
                // channel to the other direction: it may still hold the guest's last words (an Error frame).
                return;
            }
        }
    }

    private static async Task GuestToHostAsync(MuxChannelStream channel, Stream host)
    {
        try
        {
            await channel.CopyToAsync(host, ChunkSize);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}
