using System.CommandLine;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock create [create flags]</c>: prints the new sandbox's id alone on stdout (or its JSON with --json).</summary>
internal static class CreateCommand
{
    public static Command Build(CliContext context)
    {
        var flags = new CreateFlags("Time to live of the sandbox, e.g. 30m (default: the engine's)", "Print the sandbox as JSON instead of its id");
        var command = new Command("create", "Create a sandbox and print its id");
        flags.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, flags, context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CreateFlags flags, CliContext context, CancellationToken cancellationToken)
    {
        var console = context.Console;
        var spec = flags.ToSpec(parse, FlagParsing.Duration("--timeout", parse.GetValue(flags.Timeout)));
        await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
        var info = await ProgressDisplay.RunAsync(console, "creating sandbox", progress => backend.Sandboxes.CreateAsync(spec, progress, cancellationToken));
        await console.Output.WriteLineAsync(parse.GetValue(flags.Json) ? JsonSerializer.Serialize(info, AirlockJson.Indented) : info.Id);
        await console.Output.FlushAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}
