using System.Net;
using System.Net.Sockets;
using Airlock.Audit;

namespace Airlock.Egress;

/// <summary>
/// The egress gateway: a DNS server that answers only allowed names, an explicit HTTP proxy and a transparent TCP
/// listener that admit only allowed destinations, with secret substitution, an exfiltration scan and per-sandbox
/// bandwidth. Each sandbox is a tenant, told apart by its source address (its veth's address, which it cannot forge
/// past the namespace's anti-spoofing rules).
/// </summary>
public sealed class EgressGateway : IAsyncDisposable
{
    private readonly EgressGatewayContext _context;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private Socket? _proxy;
    private Socket? _transparent;
    private DnsServer? _dns;

    public EgressGateway(EgressGatewayOptions options, IAuditLog? audit = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.ListenAddress);
        foreach (var (name, port) in new[] { ("ProxyPort", options.ProxyPort), ("TransparentPort", options.TransparentPort), ("DnsPort", options.DnsPort) })
        {
            if (port is < 0 or > 65535) throw new ArgumentException($"{name} {port} is not a port; use 1-65535, or 0 for any free port", nameof(options));
        }

        _context = new EgressGatewayContext(options, new AuditSink(audit), time ?? TimeProvider.System);
    }

    /// <summary>The explicit HTTP proxy (absolute-form http:// and CONNECT): what HTTP_PROXY and HTTPS_PROXY point at.</summary>
    public IPEndPoint ProxyEndPoint => Bound(_proxy?.LocalEndPoint);

    /// <summary>Where nftables redirects the sandboxes' TCP.</summary>
    public IPEndPoint TransparentEndPoint => Bound(_transparent?.LocalEndPoint);

    /// <summary>The sandboxes' resolver, UDP and TCP on the same port.</summary>
    public IPEndPoint DnsEndPoint => Bound(_dns?.EndPoint);

    /// <summary>Test seam: what SO_ORIGINAL_DST would say for a connection that did not pass through nftables.</summary>
    internal Func<Socket, IPEndPoint?> OriginalDestination
    {
        get => _context.OriginalDestination;
        set => _context.OriginalDestination = value;
    }

    /// <summary>Binds the proxy, transparent and DNS listeners and starts serving.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_proxy is not null) throw new InvalidOperationException("the gateway is already started");
        var options = _context.Options;
        _proxy = Listen(options.ListenAddress, options.ProxyPort);
        _transparent = Listen(options.ListenAddress, options.TransparentPort);
        _dns = DnsServer.Start(_context, options.ListenAddress, options.DnsPort, _stopping.Token);
        _loops.Add(AcceptAsync(_proxy, "proxy"));
        _loops.Add(AcceptAsync(_transparent, "transparent"));
        return Task.CompletedTask;
    }

    /// <summary>Judges connections from <paramref name="tenant"/>'s source address by its rules until the result is disposed.</summary>
    public IDisposable Attach(EgressTenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return _context.Tenants.Attach(tenant, _context.Time);
    }

    private static Socket Listen(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(512);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"the egress gateway cannot listen on {address}:{port}: {e.Message}", e);
        }
    }

    private async Task AcceptAsync(Socket listener, string via)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue;
            }

            client.NoDelay = true;
            _ = Task.Run(async () =>
            {
                using var connection = new EgressConnection(_context, client, via);
                await connection.RunAsync(_stopping.Token);
            });
        }
    }

    private static IPEndPoint Bound(EndPoint? endPoint) =>
        endPoint as IPEndPoint ?? throw new InvalidOperationException("the gateway is not started; call StartAsync first");

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync();
        _proxy?.Dispose();
        _transparent?.Dispose();
        if (_dns is not null) await _dns.DisposeAsync();
        await Task.WhenAll(_loops);
        await _context.Audit.DisposeAsync();
        _stopping.Dispose();
    }
}
