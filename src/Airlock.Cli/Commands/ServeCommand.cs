using System.CommandLine;
using Airlock.Audit.Sqlite;
using Airlock.Cli.Infrastructure;
using Airlock.Core.Anomalies;
using Airlock.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock serve [--listen 127.0.0.1:7070] [--data DIR]</c>: the daemon, until SIGTERM or Ctrl-C.</summary>
internal static class ServeCommand
{
    public static Command Build(CliContext context)
    {
        var listen = new Option<string>("--listen") { Description = "host:port to listen on (default 127.0.0.1:7070)" };
        var command = new Command("serve", "Run the daemon (REST API)") { listen };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console;
            var address = parse.GetValue(listen) ?? "127.0.0.1:7070";
            if (!ListenAddress.TryParse(address, out var endpoint, out var error)) throw new UsageException($"--listen: {error}");
            var paths = GlobalOptions.Paths(parse);

            await using var engine = await EngineFactory.StartAsync(paths, runReaper: true, cancellationToken);
            await using var auditLog = new SqliteAuditLog(new SqliteAuditLogOptions
            {
                DatabasePath = paths.Audit,
                SigningKeyPath = paths.AuditSigningKey,
                // The sandboxes' egress gateways append their network decisions from processes of their own; anomaly rules
                // (egress_denied, canary_access) and the audit stream must hear of them too.
                FollowOtherWriters = TimeSpan.FromMilliseconds(500),
            });
            var audit = new AuditTrail(auditLog, new AuditVerifier(paths.Audit, paths.AuditSigningKey));
            var governance = EngineFactory.Govern(engine, auditLog);
            var access = await AccessControl.OpenAsync(paths.DataDirectory, TimeProvider.System, auditLog, failures: null, cancellationToken);
            await using var anomalies = new AnomalyMonitor(auditLog, engine.GetPolicyAsync, new SandboxAnomalyResponder(governance, (id, ct) => RevokeTokensOfAsync(access, engine, id, ct)));
            anomalies.Start();
            await using var sampler = new ResourceSampler(engine, anomalies);
            sampler.Start();
            var app = AirlockServer.Build(new ServerOptions { Listen = address, AdminTokenPath = paths.AdminToken }, governance, engine.Images, governance, audit, access);
            await using (app)
            {
                // The host's console lifetime turns SIGTERM/Ctrl-C into a graceful stop of Kestrel.
                await app.StartAsync(cancellationToken);
                console.Say($"serving {string.Join(", ", app.Urls)} (data {paths.DataDirectory})");
                console.Say($"admin token in {paths.AdminToken}; clients: export AIRLOCK_HOST=http://{endpoint} AIRLOCK_TOKEN=$(cat {paths.AdminToken})");
                await app.WaitForShutdownAsync(CancellationToken.None);
                console.Say("stopped");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>An anomaly's <c>revoke</c>: every live token bound to the sandbox, by id or by a selector its labels satisfy.</summary>
    private static async Task RevokeTokensOfAsync(AccessControl access, Core.Engine.SandboxEngine engine, string sandboxId, CancellationToken cancellationToken)
    {
        var labels = (await engine.GetAsync(sandboxId, cancellationToken)).Labels;
        foreach (var token in await access.Tokens.ListAsync(cancellationToken))
        {
            var bound = token.Sandbox == sandboxId
                || (token.Sandbox is null && token.Labels is { Count: > 0 } selector && selector.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value));
            if (bound && !token.Revoked) await access.Tokens.RevokeAsync(token.Id, cancellationToken);
        }
    }
}
