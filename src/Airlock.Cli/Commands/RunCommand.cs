using System.CommandLine;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock run [create flags] -- CMD [ARG...]</c>: create a sandbox, run one command with its output
/// streamed to ours, destroy the sandbox — also on Ctrl-C, SIGTERM or any failure. Exit code = the command's.
/// </summary>
internal static class RunCommand
{
    /// <summary>Slack between the command's time limit and the sandbox's TTL, so the limit (124) fires first.</summary>
    private static readonly TimeSpan TtlSlack = TimeSpan.FromSeconds(60);

    public static Command Build(CliContext context)
    {
        var flags = new CreateFlags("Time limit of the command (the sandbox lives 60s longer)", "Accepted for symmetry with create; no effect");
        var command = new Command("run", "Create a sandbox, run a command in it, destroy it; exits with the command's code");
        flags.AddTo(command);
        command.Arguments.Add(CommandArgument.Create());
        command.SetAction((parse, _) => RunAsync(parse, flags, context));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CreateFlags flags, CliContext context)
    {
        var console = context.Console;
        var timeout = FlagParsing.Duration("--timeout", parse.GetValue(flags.Timeout));
        var spec = flags.ToSpec(parse, timeout is { } t ? t + TtlSlack : null);
        var request = new ExecRequest { Command = context.Command, Timeout = timeout };

        using var signals = new SignalCancellation();
        var cancellationToken = signals.Token;
        await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
        SandboxInfo? sandbox = null;
        try
        {
            sandbox = await ProgressDisplay.RunAsync(console, "creating sandbox", progress => backend.Sandboxes.CreateAsync(spec, progress, cancellationToken));
            var result = await ExecRunner.StreamAsync(backend.Sandboxes, sandbox.Id, request, console, cancellationToken);
            return ExecRunner.ExitCode(result, console, limit => flags.LimitText(parse, limit) ?? ExecRunner.FromInfo(sandbox, limit));
        }
        catch (OperationCanceledException) when (signals.Signalled)
        {
            console.Say("interrupted; destroying the sandbox");
            return ExitCodes.Interrupted;
        }
        finally
        {
            if (sandbox is not null) await DestroyAsync(backend.Sandboxes, sandbox.Id, console);
        }
    }

    private static async Task DestroyAsync(ISandboxOperations sandboxes, string id, CliConsole console)
    {
        // Not the signal's token: the cleanup must run precisely when that one is cancelled.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await sandboxes.DeleteAsync(id, timeout.Token);
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
        {
        }
        catch (Exception e) when (e is AirlockException or OperationCanceledException)
        {
            console.Say($"could not destroy sandbox {id}: {e.Message}; remove it with: airlock rm {id}");
        }
    }
}
