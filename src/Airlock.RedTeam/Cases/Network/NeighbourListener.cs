using Airlock.Core.Network;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>
/// A neighbour sandbox (same policy) listening on TCP 8080 and UDP 8081, logging every peer to its /tmp/heard.log,
/// which the host reads back through the files API: the attacker cannot write there unless it reached the
/// neighbour. The neighbour first connects to itself (the control: its listener works).
/// </summary>
internal sealed class NeighbourListener
{
    private const string Listen = """
        import socket, threading
        log = open('/tmp/heard.log', 'a', buffering=1)
        def tcp():
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 8080)); s.listen()
            while True:
                c, peer = s.accept(); c.settimeout(2)
                try: d = c.recv(200)
                except OSError: d = b''
                log.write('tcp from %s %r\n' % (peer[0], d[:80]))
                try: c.sendall(b'HTTP/1.0 200 OK\r\n\r\nNEIGHBOUR\n')
                except OSError: pass
                c.close()
        def udp():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 8081))
            while True:
                d, peer = s.recvfrom(2048); log.write('udp from %s %r\n' % (peer[0], d[:80]))
        for t in (tcp, udp): threading.Thread(target=t, daemon=True).start()
        open('/tmp/listening', 'w').close()
        threading.Event().wait()
        """;

    private readonly CaseContext _context;
    private readonly string _id;
    private readonly string _control;

    private NeighbourListener(CaseContext context, string id, string address, string control)
    {
        _context = context;
        _id = id;
        Address = address;
        _control = control;
    }

    public string Address { get; }

    public bool ControlHeard { get; private set; }

    public static async Task<NeighbourListener> StartAsync(CaseContext context, NetworkScene scene, CancellationToken cancellationToken)
    {
        var neighbour = await context.CreateDaemonSandboxAsync(NetworkAttack.AllowPkgs, cancellationToken);
        var admin = context.Environment.Admin.Operations;
        await NetworkAttack.WriteAsync(admin, neighbour.Id, "/tmp/listen.py", Listen, cancellationToken);
        var control = "control-" + scene.Nonce;
        var start = await context.RunAsync(neighbour.Id, ["sh", "-c",
            "setsid python3 /tmp/listen.py >/dev/null 2>&1 </dev/null & for i in $(seq 100); do [ -f /tmp/listening ] && break; sleep 0.1; done; " +
            $"python3 -c \"import socket; s=socket.create_connection(('127.0.0.1', 8080), timeout=5); s.sendall(b'{control}'); print(s.recv(100))\""],
            TimeSpan.FromSeconds(30), cancellationToken, operations: admin);
        var lease = NetworkLeasePool.Find(neighbour.Id, context.Environment.Paths.DataDirectory)
            ?? throw new InvalidOperationException($"neighbour {neighbour.Id} has no network lease ({start.Describe()})");
        return new NeighbourListener(context, neighbour.Id, lease.SandboxAddress.ToString(), control);
    }

    /// <summary>Everything the neighbour's listener heard apart from its own control connection.</summary>
    public async Task<IReadOnlyList<string>> HeardAsync(CancellationToken cancellationToken)
    {
        await using var stream = await _context.Environment.Admin.Operations.ReadFileAsync(_id, "/tmp/heard.log", cancellationToken);
        var lines = (await new StreamReader(stream).ReadToEndAsync(cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ControlHeard = lines.Any(l => l.Contains(_control, StringComparison.Ordinal));
        return [.. lines.Where(l => !l.Contains(_control, StringComparison.Ordinal))];
    }
}
