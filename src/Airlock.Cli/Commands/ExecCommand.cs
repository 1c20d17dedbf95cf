using System.CommandLine;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock exec [--timeout D] [--env K=V] [--cwd DIR] [-i] ID -- CMD [ARG...]</c>; exit code = the command's.</summary>
internal static class ExecCommand
{
    public static Command Build(CliContext context)
    {
        var timeout = new Option<string>("--timeout") { Description = "Time limit of the command, e.g. 30s" };
        var env = new Option<string[]>("--env") { Description = "Environment variable K=V (repeatable)" };
        var cwd = new Option<string>("--cwd") { Description = "Working directory inside the sandbox (default /workspace)" };
        var interactive = new Option<bool>("--interactive", "-i")
        {
            Description = "Pass our stdin to the command (with --host it is read to its end first)",
        };
        var id = new Argument<string>("ID") { Description = "Sandbox id" };
        var command = new Command("exec", "Run a command in an existing sandbox") { timeout, env, cwd, interactive, id, CommandArgument.Create() };
        command.SetAction(async (parse, _) =>
        {
            var console = context.Console;
            var limit = FlagParsing.Duration("--timeout", parse.GetValue(timeout));
            var request = new ExecRequest
            {
                Command = context.Command,
                Env = FlagParsing.KeyValues("--env", parse.GetValue(env)),
                Cwd = parse.GetValue(cwd),
                Timeout = limit,
                Stdin = parse.GetValue(interactive) ? console.Input : null,
            };
            var sandboxId = parse.GetValue(id)!;

            using var signals = new SignalCancellation();
            await using var backend = await CliBackend.OpenAsync(parse, signals.Token);
            try
            {
                var result = await ExecRunner.StreamAsync(backend.Sandboxes, sandboxId, request, console, signals.Token);
                SandboxInfo? info = null;
                if (result.KilledBy is ExecResult.Limits.Memory or ExecResult.Limits.Pids)
                {
                    info = await backend.Sandboxes.GetAsync(sandboxId, CancellationToken.None);
                }

                return ExecRunner.ExitCode(result, console, name =>
                    name == ExecResult.Limits.Timeout ? parse.GetValue(timeout) : ExecRunner.FromInfo(info, name));
            }
            catch (OperationCanceledException) when (signals.Signalled)
            {
                console.Say("interrupted");
                return ExitCodes.Interrupted;
            }
        });
        return command;
    }
}
