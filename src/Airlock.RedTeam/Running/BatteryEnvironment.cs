using System.Net;
using Airlock.Audit.Sqlite;
using Airlock.Client;
using Airlock.Core;
using Airlock.Core.Approvals;
using Airlock.Core.Engine;
using Airlock.Core.Governance;
using Airlock.RedTeam.Host;
using Airlock.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Airlock.RedTeam.Running;

/// <summary>
/// What the battery attacks: an embedded engine on a temporary data directory of its own (so audit tampering and
/// token cases never touch the user's state), behind the same governance stage as <c>airlock serve</c>, and a
/// daemon in this very process on 127.0.0.1 (a free port) for the governance cases and the latency prober. The
/// engine lives in this process, so its RSS is the one an output flood must not grow. Host markers are planted
/// before the engine starts so that runc, runsc and QEMU inherit the canary environment variable.
/// </summary>
internal sealed class BatteryEnvironment : IAsyncDisposable
{
    private readonly SandboxEngine _engine;
    private readonly SqliteAuditLog _auditLog;
    private readonly WebApplication _app;
    private readonly AirlockClient? _remote;

    private BatteryEnvironment(AirlockPaths paths, HostMarkers markers, SandboxEngine engine, SqliteAuditLog auditLog, GovernedSandboxOperations governance, WebApplication app, Uri url, AirlockClient? remote, BatteryOptions options, NetworkRig network)
    {
        Network = network;
        Paths = paths;
        Markers = markers;
        _engine = engine;
        _auditLog = auditLog;
        Governance = governance;
        _app = app;
        DaemonUrl = url;
        AdminToken = File.ReadAllText(paths.AdminToken).Trim();
        Admin = new AirlockClient(url, AdminToken);
        _remote = remote;
        Options = options;
    }

    public AirlockPaths Paths { get; }

    public HostMarkers Markers { get; }

    public BatteryOptions Options { get; }

    /// <summary>The battery's in-process daemon.</summary>
    public Uri DaemonUrl { get; }

    public string AdminToken { get; }

    public AirlockClient Admin { get; }

    public GovernedSandboxOperations Governance { get; }

    /// <summary>The battery's internet and the daemon's request log, for the network cases.</summary>
    public NetworkRig Network { get; }

    /// <summary>Where sandbox cases create their sandboxes: the embedded engine, or the daemon of <c>--host</c>.</summary>
    public ISandboxOperations Sandboxes => _remote?.Operations ?? Governance;

    /// <summary>The process holding the engine the cases attack, when it is this one.</summary>
    public int? EngineProcessId => _remote is null ? Environment.ProcessId : null;

    public static async Task<BatteryEnvironment> StartAsync(BatteryOptions options, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("airlock-redteam-").FullName;
        var paths = new AirlockPaths(data) { Images = options.ImagesDirectory };
        var markers = HostMarkers.Plant(data);
        SandboxEngine? engine = null;
        SqliteAuditLog? audit = null;
        var network = await NetworkRig.StartAsync(options.Internet);
        try
        {
            engine = await options.StartEngine(paths, network.Internet?.Wiring, cancellationToken);
            audit = new SqliteAuditLog(new SqliteAuditLogOptions { DatabasePath = paths.Audit, SigningKeyPath = paths.AuditSigningKey });
            var governance = new GovernedSandboxOperations(engine, new ApprovalBroker(paths.Database, audit), audit);
            var access = await AccessControl.OpenAsync(data, TimeProvider.System, audit, failures: null, cancellationToken);
            var app = AirlockServer.Build(
                new ServerOptions { Listen = "127.0.0.1:0", AdminTokenPath = paths.AdminToken, MinimumLogLevel = LogLevel.Error, RequestObserver = network.ApiRequests.Observe },
                governance, engine.Images, governance, new AuditTrail(audit, new AuditVerifier(paths.Audit, paths.AuditSigningKey)), access);
            await app.StartAsync(cancellationToken);
            var url = new Uri(app.Urls.First().Replace("[::]", IPAddress.Loopback.ToString(), StringComparison.Ordinal));
            var remote = options.ConnectRemote?.Invoke();
            return new BatteryEnvironment(paths, markers, engine, audit, governance, app, url, remote, options, network);
        }
        catch
        {
            if (audit is not null) await audit.DisposeAsync();
            if (engine is not null) await engine.DisposeAsync();
            await network.DisposeAsync();
            markers.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        _remote?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _auditLog.DisposeAsync();
        await _engine.DisposeAsync();
        await Network.DisposeAsync();
        Markers.Dispose();
        try
        {
            Directory.Delete(Paths.DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A mount left behind would be a cleanup bug of the engine: leave the directory for inspection.
        }
    }
}
