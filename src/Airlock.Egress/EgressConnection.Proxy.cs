using System.Globalization;
using System.Net;
using System.Text;
using Airlock.Policy;

namespace Airlock.Egress;

/// <summary>The explicit proxy: <c>CONNECT host:port</c> and absolute-form <c>GET http://host/...</c>, judged by the name asked for.</summary>
internal sealed partial class EgressConnection
{
    private async Task ProxyAsync(CancellationToken cancellationToken)
    {
        _respondTo = _peek;
        var text = await _peek!.ReadHeadAsync(cancellationToken);
        if (text is null) throw new IOException("the client closed before sending a request");
        var head = HttpHead.Parse(text);
        if (head.Method == "CONNECT")
        {
            (_host, _port) = SplitAuthority(head.Target, defaultPort: 443);
            await ConnectUpstreamByNameAsync(cancellationToken);
            await _peek.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), cancellationToken);
            // Past this point the client speaks TLS (or anything) to the far end; a refusal can no longer be an HTTP answer.
            _respondTo = null;
            await ForwardAsync(_peek, head: null, cancellationToken);
            return;
        }

        if (!Uri.TryCreate(head.Target, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new EgressRefusedException("malformed",
                "the proxy takes CONNECT host:port or an absolute http:// URL; for https use CONNECT (HTTPS_PROXY does this)");
        }

        _host = uri.IdnHost.ToLowerInvariant();
        _port = uri.Port;
        head.Target = uri.PathAndQuery;
        // RFC 9112 3.2.2: a proxy ignores a Host header sent with an absolute URL and uses the URL's. Forwarding the
        // client's would let "GET http://allowed/ Host: denied" front for a denied name on an allowed server.
        var authority = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        head.Set("Host", uri.IsDefaultPort ? authority : $"{authority}:{uri.Port}");
        head.Remove("Proxy-Connection");
        head.Remove("Proxy-Authorization");
        await ConnectUpstreamByNameAsync(cancellationToken);
        await ExchangeAsync(_peek, _upstreamStream!, head, cancellationToken);
    }

    /// <summary>Judges <see cref="_host"/>:<see cref="_port"/> by name (or, for an address literal, by CIDR) and connects to the gateway's own resolution of it.</summary>
    private async Task ConnectUpstreamByNameAsync(CancellationToken cancellationToken)
    {
        var rule = EgressMatch.First(_tenant!.Tenant.Network.Allow, _host!, _port)
            ?? throw new EgressRefusedException("not in network.allow", $"{_host}:{_port} is not in the sandbox's network.allow");
        _rule = rule.Pattern;
        var addresses = await _gateway.Resolver.ResolveAsync(_host!, cancellationToken);
        if (addresses.Count == 0) throw new EgressRefusedException(_rule, $"{_host} does not resolve");
        await ConnectAsync(addresses, cancellationToken);
    }

    private async Task ConnectAsync(IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(address, _port, timeout.Token);
                _upstream = socket;
                _address = address;
                _upstreamStream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
                return;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = e;
            }
        }

        _address = addresses[0];
        throw new EgressRefusedException("upstream-unreachable", $"could not connect to {_host}:{_port}: {last?.Message}");
    }

    private static (string Host, int Port) SplitAuthority(string authority, int defaultPort)
    {
        var host = authority;
        var port = defaultPort;
        var colon = authority.LastIndexOf(':');
        if (colon > 0 && authority.IndexOf(']', StringComparison.Ordinal) < colon)
        {
            if (!int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw new EgressRefusedException("malformed", $"'{authority}' has no valid port");
            }

            host = authority[..colon];
        }

        host = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0 || host.Any(c => c <= ' ' || c > '~')) throw new EgressRefusedException("malformed", $"'{authority}' is not a host name");
        return (host, port);
    }

    private static readonly byte[] Continue = Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n");
}
