using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;

namespace Airlock.Egress;

/// <summary>After the decision: tunnel bytes untouched, or terminate TLS and inspect, or inspect plain HTTP.</summary>
internal sealed partial class EgressConnection
{
    /// <summary>Largest request body the gateway buffers to scan; bigger bodies to inspected hosts are refused (413).</summary>
    private const int MaxInspectedBody = 32 * 1024 * 1024;

    /// <summary>
    /// First buffer of a relay: what a request's response or a short exchange needs, held by every open connection.
    /// </summary>
    private const int FirstRelayBuffer = 64 * 1024;

    /// <summary>
    /// Largest buffer of a relay, reached only by a bulk transfer (each read that fills the buffer quadruples it). Big
    /// reads keep the bytes the gateway copies hot in cache for the sandbox's own copy out of its socket: through a
    /// 4 MiB buffer a loopback download ran at 0.87-0.89x direct, through 1 MiB 0.70-0.78x, and socket to socket with
    /// splice(2) (no copy here at all) 0.67-0.76x, because the sandbox then reads pages the origin wrote long before.
    /// </summary>
    private const int LargestRelayBuffer = 4 * 1024 * 1024;

    private async Task ForwardAsync(PeekStream client, HttpHead? head, CancellationToken cancellationToken)
    {
        if (!await client.FillAsync(1, cancellationToken)) return;
        if (TlsClientHello.IsHandshake(client.Buffered) && _host is not null && _tenant!.Inspects(_host))
        {
            await InterceptAsync(client, cancellationToken);
        }
        else if (!TlsClientHello.IsHandshake(client.Buffered) && HttpHead.LooksLikeRequest(client.Buffered))
        {
            // Plain HTTP is always inspected: canaries and placeholders are visible, so they are checked.
            _respondTo = client;
            head ??= HttpHead.Parse(await client.ReadHeadAsync(cancellationToken) ?? throw new IOException("the client closed mid-request"));
            await ExchangeAsync(client, _upstreamStream!, head, cancellationToken);
        }
        else
        {
            await TunnelAsync(client, cancellationToken);
        }
    }

    private async Task InterceptAsync(PeekStream client, CancellationToken cancellationToken)
    {
        var authority = _tenant!.Tenant.Interception
            ?? throw new EgressRefusedException("no-interception-ca", $"{_host} carries a secret, but the sandbox has no interception CA to terminate its TLS");
        var serverTls = new SslStream(client, leaveInnerStreamOpen: true);
        await serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = authority.IssueServerCertificate(_host!),
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cancellationToken);
        var inner = new PeekStream(serverTls);
        _respondTo = inner;
        var upstream = await _gateway.UpstreamTls.ConnectAsync(_upstreamStream!, _host!, cancellationToken);
        _upstreamStream = upstream;
        var text = await inner.ReadHeadAsync(cancellationToken);
        if (text is null) return;
        await ExchangeAsync(inner, upstream, HttpHead.Parse(text), cancellationToken);
        await serverTls.ShutdownAsync();
    }

    /// <summary>One request, scanned and rewritten, then the whole response. Connection: close keeps every request visible.</summary>
    private async Task ExchangeAsync(PeekStream client, Stream upstream, HttpHead head, CancellationToken cancellationToken)
    {
        _respondTo = client;
        if (string.Equals(head.Header("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase))
        {
            head.Remove("Expect");
            await client.WriteAsync(Continue, cancellationToken);
        }

        var body = await ReadBodyAsync(client, head, cancellationToken);
        _substituted.AddRange(RequestScanner.Apply(_tenant!.Tenant, _host ?? _address?.ToString() ?? "", head, ref body));
        head.Remove("Transfer-Encoding");
        head.Remove("Content-Length");
        head.Remove("Connection");
        head.Remove("Keep-Alive");
        head.Remove("Proxy-Connection");
        if (body is not null) head.Set("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        head.Set("Connection", "close");
        await upstream.WriteAsync(head.Serialize(), cancellationToken);
        if (body is not null) await upstream.WriteAsync(body, cancellationToken);
        await upstream.FlushAsync(cancellationToken);
        _respondTo = null;
        // The response is not inspected, only metered on its way through the sandbox's TenantStream.
        await CopyAsync(upstream, client, RelayBufferLimit(towardSandbox: true), cancellationToken);
        await client.FlushAsync(cancellationToken);
    }

    private static async Task<byte[]?> ReadBodyAsync(PeekStream client, HttpHead head, CancellationToken cancellationToken)
    {
        if (head.Header("Transfer-Encoding") is { } encoding)
        {
            if (!string.Equals(encoding, "chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new EgressRefusedException("malformed", $"Transfer-Encoding '{encoding}' is not supported; send chunked or a Content-Length");
            }

            return await ReadChunkedAsync(client, cancellationToken);
        }

        if (head.Header("Content-Length") is not { } lengthText) return null;
        if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            throw new EgressRefusedException("malformed", $"Content-Length '{lengthText}' is not a number");
        }

        if (length > MaxInspectedBody) throw new EgressRefusedException("body-too-large", $"request bodies the gateway inspects are limited to {MaxInspectedBody} bytes");
        return await client.ReadExactlyAsync((int)length, cancellationToken) ?? throw new IOException("the client closed mid-body");
    }

    private static async Task<byte[]> ReadChunkedAsync(PeekStream client, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        while (true)
        {
            var line = await client.ReadLineAsync(cancellationToken) ?? throw new IOException("the client closed mid-body");
            var sizeText = line.Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw new EgressRefusedException("malformed", $"bad chunk size '{sizeText}'");
            }

            if (size == 0) break;
            if (body.Length + size > MaxInspectedBody) throw new EgressRefusedException("body-too-large", $"request bodies the gateway inspects are limited to {MaxInspectedBody} bytes");
            body.Write(await client.ReadExactlyAsync(size, cancellationToken) ?? throw new IOException("the client closed mid-body"));
            await client.ReadLineAsync(cancellationToken);
        }

        // Trailers are dropped: the body is re-sent with a Content-Length.
        while (!string.IsNullOrEmpty(await client.ReadLineAsync(cancellationToken)))
        {
        }

        return body.ToArray();
    }

    private async Task TunnelAsync(PeekStream client, CancellationToken cancellationToken)
    {
        var up = RelayAsync(client, towardSandbox: false, () => _upstream!.Shutdown(SocketShutdown.Send), cancellationToken);
        var down = RelayAsync(client, towardSandbox: true, () => _client.Shutdown(SocketShutdown.Send), cancellationToken);
        var first = await Task.WhenAny(up, down);
        if (first.IsFaulted) Close();
        await Task.WhenAll(up, down);
    }

    /// <summary>One direction of a tunnel until its source ends, then the matching half-close.</summary>
    private async Task RelayAsync(PeekStream client, bool towardSandbox, Action halfClose, CancellationToken cancellationToken)
    {
        if (towardSandbox) await CopyAsync(_upstreamStream!, client, RelayBufferLimit(towardSandbox), cancellationToken);
        else await CopyAsync(client, _upstreamStream!, RelayBufferLimit(towardSandbox), cancellationToken);

        try
        {
            halfClose();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The other side is already gone.
        }
    }

    /// <summary>
    /// A direction the sandbox's rate limit paces gains nothing from reading ahead: bytes would only wait in the buffer
    /// for their turn in the bucket, 4 MiB of them for each rate-limited download.
    /// </summary>
    private int RelayBufferLimit(bool towardSandbox) => _metered!.RateLimited(towardSandbox) ? FirstRelayBuffer : LargestRelayBuffer;

    /// <summary>
    /// Everything <paramref name="from"/> yields, in order, to <paramref name="to"/>. The sandbox's side is its
    /// TenantStream, so each piece is counted, charged against the quota and paid for from the rate bucket (which
    /// also caps how much one read takes) before it goes on. The buffer is pooled and grows while reads fill it, up to
    /// <paramref name="largestBuffer"/>.
    /// </summary>
    private static async Task CopyAsync(Stream from, Stream to, int largestBuffer, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FirstRelayBuffer);
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                if (n == buffer.Length && buffer.Length < largestBuffer)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 4, largestBuffer));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
