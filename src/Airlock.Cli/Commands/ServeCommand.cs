using System.CommandLine;
using Airlock.Cli.Infrastructure;
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
            var governance = EngineFactory.Govern(engine, audit: null);
            var app = AirlockServer.Build(new ServerOptions { Listen = address, AdminTokenPath = paths.AdminToken }, governance, engine.Images, governance);
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
}
