using System.CommandLine;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock gateway --config FILE</c> (hidden): one sandbox's egress gateway, started by the engine in its own
/// session and killed by destroy or the orphan sweep. Not for people: the engine writes the config.
/// </summary>
internal static class GatewayCommand
{
    public static Command Build(CliContext context)
    {
        _ = context;
        var config = new Option<string>("--config") { Description = "The gateway.json the engine wrote", Required = true };
        var command = new Command("gateway", "Run one sandbox's egress gateway (started by the engine)") { config };
        command.Hidden = true;
        command.SetAction(async (parse, cancellationToken) => await GatewayHost.RunAsync(parse.GetValue(config)!, cancellationToken));
        return command;
    }
}
