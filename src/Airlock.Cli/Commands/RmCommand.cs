using System.CommandLine;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock rm ID...</c>: destroys each sandbox, printing its id; goes on past failures and exits with the worst.</summary>
internal static class RmCommand
{
    public static Command Build(CliContext context)
    {
        var ids = new Argument<string[]>("ID") { Description = "Sandbox ids", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Destroy sandboxes") { ids };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console;
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var exit = ExitCodes.Ok;
            foreach (var id in parse.GetValue(ids) ?? [])
            {
                try
                {
                    await backend.Sandboxes.DeleteAsync(id, cancellationToken);
                    await console.Output.WriteLineAsync(id);
                }
                catch (AirlockException e)
                {
                    console.Say($"rm {id}: {e.Message}");
                    // A caller's mistake (unknown id) outranks a host failure: exit 2 if any id was wrong.
                    exit = e.IsClientError || exit == ExitCodes.Usage ? ExitCodes.Usage : ExitCodes.Failure;
                }
            }

            return exit;
        });
        return command;
    }
}
