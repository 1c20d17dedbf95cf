using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Airlock.Audit;
using Airlock.Audit.Sqlite;

namespace Airlock.Egress.Tests;

/// <summary>
/// One test's whole world on 127.0.0.0/8: a gateway on 127.0.0.10, origins for pkgs.test (127.0.0.2) and other.test
/// (127.0.0.3), a raw echo on 127.0.0.4, a real SQLite audit log, and a "sandbox" whose sockets bind 127.0.0.20.
/// </summary>
internal sealed class EgressHarness : IAsyncDisposable
{
    public static readonly IPAddress GatewayAddress = IPAddress.Parse("127.0.0.10");
    public static readonly IPAddress PkgsAddress = IPAddress.Parse("127.0.0.2");
    public static readonly IPAddress OtherAddress = IPAddress.Parse("127.0.0.3");
    public static readonly IPAddress EchoAddress = IPAddress.Parse("127.0.0.4");
    public static readonly IPAddress Source = IPAddress.Parse("127.0.0.20");

    private readonly string _directory = Directory.CreateTempSubdirectory("airlock-egress-tests-").FullName;
    private readonly List<IDisposable> _attached = [];

    private EgressHarness()
    {
        AuditLog = new SqliteAuditLog(new SqliteAuditLogOptions
        {
            DatabasePath = Path.Combine(_directory, "audit.db"),
            SigningKeyPath = Path.Combine(_directory, "audit.key"),
        });
        Gateway = new EgressGateway(new EgressGatewayOptions
        {
            ListenAddress = GatewayAddress,
            StaticHosts = new Dictionary<string, IReadOnlyList<IPAddress>>
            {
                ["pkgs.test"] = [PkgsAddress],
                ["api.test"] = [PkgsAddress],
                ["other.test"] = [OtherAddress],
            },
            UpstreamTrust = [TestCertificates.Root],
        }, AuditLog);
        Gateway.OriginalDestination = _ => Redirect;
    }

    public SqliteAuditLog AuditLog { get; }

    public EgressGateway Gateway { get; }

    public TestOrigin Pkgs { get; } = TestOrigin.Http("pkgs.test", PkgsAddress);

    public TestOrigin PkgsTls { get; } = TestOrigin.Https("pkgs.test", PkgsAddress);

    public TestOrigin ApiTls { get; } = TestOrigin.Https("api.test", PkgsAddress);

    public TestOrigin Other { get; } = TestOrigin.Http("other.test", OtherAddress);

    public TestOrigin Echo { get; } = TestOrigin.Echo("echo", EchoAddress);

    /// <summary>What SO_ORIGINAL_DST says for connections to the transparent listener (what nftables would have recorded).</summary>
    public IPEndPoint? Redirect { get; set; }

    public static async Task<EgressHarness> StartAsync()
    {
        var harness = new EgressHarness();
        await harness.Gateway.StartAsync();
        return harness;
    }

    public void Attach(EgressTenant tenant) => _attached.Add(Gateway.Attach(tenant));

    public EgressTenant Tenant(params Airlock.Policy.EgressTarget[] allow) =>
        new() { SandboxId = "sb-test", SourceAddress = Source, Network = Allow.Policy(allow) };

    /// <summary>An HttpClient as a program in the sandbox: its sockets leave from <see cref="Source"/>, through the proxy or redirected.</summary>
    public HttpClient Client(bool viaProxy, params X509Certificate2[] trust)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = viaProxy,
            Proxy = viaProxy ? new WebProxy($"http://{Gateway.ProxyEndPoint}") : null,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(Source, 0));
                    // Without the proxy, every connection lands on the transparent listener, as nftables' redirect would do.
                    if (viaProxy) await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    else await socket.ConnectAsync(Gateway.TransparentEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TestCertificates.ChainsTo(certificate, errors, trust);
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>A raw socket from the sandbox's address.</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint to)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(Source, 0));
        await socket.ConnectAsync(to);
        return socket;
    }

    /// <summary>Waits for the audit record <paramref name="match"/> describes (the gateway audits from a background writer).</summary>
    public async Task<AuditRecord> AuditedAsync(Func<AuditEvent, bool> match, string what)
    {
        for (var i = 0; i < 200; i++)
        {
            var records = await AuditLog.QueryAsync(new AuditQuery { Limit = 100_000 });
            if (records.FirstOrDefault(r => match(r.Event)) is { } found) return found;
            await Task.Delay(50);
        }

        var all = await AuditLog.QueryAsync(new AuditQuery { Limit = 50, Newest = true });
        throw new Xunit.Sdk.XunitException($"no audit record for {what}; last records:\n" +
            string.Join("\n", all.Select(r => $"{r.Event.Kind} {r.Event.Outcome} {string.Join(' ', r.Event.Details.Select(d => $"{d.Key}={d.Value}"))}")));
    }

    public async Task<IReadOnlyList<AuditRecord>> AllAuditAsync() => await AuditLog.QueryAsync(new AuditQuery { Limit = 100_000 });

    public async ValueTask DisposeAsync()
    {
        foreach (var a in _attached) a.Dispose();
        await Gateway.DisposeAsync();
        foreach (var origin in new[] { Pkgs, PkgsTls, ApiTls, Other, Echo }) await origin.DisposeAsync();
        await AuditLog.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
