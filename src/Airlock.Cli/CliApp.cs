using System.CommandLine;
using System.CommandLine.Help;
using Airlock.Cli.Commands;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli;

/// <summary>
/// The <c>airlock</c> command line: parsing, dispatch to one file per verb, and the one place where
/// failures become a single stderr line and an exit code (2: caller's mistake, 1: host failure).
/// </summary>
internal static class CliApp
{
    private static readonly string[] VerbsWithCommand = ["run", "exec"];

    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var debug = Environment.GetEnvironmentVariable("AIRLOCK_DEBUG") == "1";
        try
        {
            var (parse, context) = Parse(args, console);
            if (Problem(parse, context) is { } problem)
            {
                console.Say(problem);
                return ExitCodes.Usage;
            }

            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // run/exec/serve handle signals themselves
                Output = console.Output,
                Error = console.Error,
            });
        }
        catch (UsageException e)
        {
            console.Say(e.Message);
            return ExitCodes.Usage;
        }
        catch (AirlockException e)
        {
            console.Say(e.Message);
            if (debug) console.Error.WriteLine(e);
            return e.IsClientError ? ExitCodes.Usage : ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            console.Say("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            console.Say($"internal error: {e.Message}{(debug ? "" : " (AIRLOCK_DEBUG=1 shows details)")}");
            if (debug) console.Error.WriteLine(e);
            return ExitCodes.Failure;
        }
    }

    /// <summary>Parses without running anything (also for tests).</summary>
    public static (ParseResult Parse, CliContext Context) Parse(string[] args, CliConsole console)
    {
        var separator = Array.IndexOf(args, "--");
        var head = separator < 0 ? args : args[..separator];
        var tail = separator < 0 ? [] : args[(separator + 1)..];
        var context = new CliContext(console, tail, separator >= 0);
        return (BuildRoot(context).Parse(head), context);
    }

    /// <summary>The one line to print for a command line that cannot run, or null when it can.</summary>
    public static string? Problem(ParseResult parse, CliContext context)
    {
        if (parse.Action is HelpAction) return null;
        var verb = parse.CommandResult.Command;
        var path = VerbPath(parse);
        if (VerbsWithCommand.Contains(verb.Name) && verb.Parents.Any(p => p is RootCommand))
        {
            var usage = verb.Name == "run" ? "airlock run [flags] -- CMD [ARG...]" : "airlock exec [flags] ID -- CMD [ARG...]";
            if (!context.HasSeparator) return $"{verb.Name}: put the command after '--', like: {usage}";
            if (context.Command.Count == 0) return $"{verb.Name}: no command after '--'; use: {usage}";
        }
        else if (context.HasSeparator)
        {
            return $"{path}: unexpected '--' (only run and exec take a command after it)";
        }

        if (parse.Errors.Count == 0) return null;
        var message = parse.Errors[0].Message.TrimEnd('.');
        if (message.Length > 0) message = char.ToLowerInvariant(message[0]) + message[1..];
        return path == "airlock" ? $"{message}; see airlock --help" : $"{path}: {message}; see airlock {path} --help";
    }

    private static string VerbPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command is not RootCommand) names.Insert(0, result.Command.Name);
        }

        return names.Count == 0 ? "airlock" : string.Join(' ', names);
    }

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("Airlock: run code nobody reviewed, isolated, on this machine")
        {
            GlobalOptions.Data,
            GlobalOptions.Host,
        };
        root.Subcommands.Add(RunCommand.Build(context));
        root.Subcommands.Add(CreateCommand.Build(context));
        root.Subcommands.Add(ExecCommand.Build(context));
        root.Subcommands.Add(CodeCommand.Build(context));
        root.Subcommands.Add(PsCommand.Build(context));
        root.Subcommands.Add(RmCommand.Build(context));
        root.Subcommands.Add(InspectCommand.Build(context));
        root.Subcommands.Add(CpCommand.Build(context));
        root.Subcommands.Add(ShellCommand.Build(context));
        root.Subcommands.Add(ExposeCommand.Build(context));
        root.Subcommands.Add(ServeCommand.Build(context));
        root.Subcommands.Add(ImageCommand.Build(context));
        root.Subcommands.Add(ArtifactCommand.Build(context));
        root.Subcommands.Add(DoctorCommand.Build(context));
        root.Subcommands.Add(PolicyCommand.Build(context));
        root.Subcommands.Add(ApprovalsCommand.Build(context));
        root.Subcommands.Add(AuditCommand.Build(context));
        root.Subcommands.Add(TokenCommand.Build(context));
        root.Subcommands.Add(GatewayCommand.Build(context));
        root.Subcommands.Add(McpCommand.Build(context));
        root.Subcommands.Add(RedTeamCommand.Build(context));
        return root;
    }
}
