using System.ComponentModel;
using Airlock.Access;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Airlock.Mcp;

/// <summary>exec_command: one command, its output collected, its exit code reported.</summary>
[McpServerToolType]
internal sealed class ExecTools(McpBackend backend)
{
    [McpServerTool(Name = "exec_command", Title = "Run a command in a sandbox", Destructive = true, OpenWorld = false)]
    [Description("Runs a command inside a sandbox and returns its exit code, stdout and stderr. Give either 'command', a shell " +
        "command line run with 'sh -c' (pipes, redirects and && work), or 'argv', the exact argument vector run without a shell. " +
        "The working directory defaults to /workspace. A command the sandbox's policy gates behind a person's approval waits " +
        "for it (a progress notification names the approval id) and then runs, or fails with the approver's name and reason.")]
    public Task<CallToolResult> ExecCommand(
        [Description("The sandbox id returned by create_sandbox or run_code.")] string sandbox_id,
        [Description("A shell command line, run as: sh -c COMMAND. Example: 'ls -la /workspace && python3 --version'.")] string? command = null,
        [Description("The exact argv to run without a shell, e.g. [\"python3\", \"script.py\"]. Use instead of 'command'.")] string[]? argv = null,
        [Description("Kill the command after this long, like '30s' or '5m' (exit code 124).")] string? timeout = null,
        [Description("Working directory inside the sandbox; default /workspace.")] string? cwd = null,
        [Description("Extra environment variables, e.g. {\"DEBUG\": \"1\"}.")] Dictionary<string, string>? env = null,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default) =>
        ToolCall.RunAsync(backend, "exec_command", sandbox_id, async () =>
        {
            var request = new ExecRequest
            {
                Command = Argv(command, argv),
                Cwd = string.IsNullOrWhiteSpace(cwd) ? null : cwd,
                Env = env ?? new Dictionary<string, string>(),
                Timeout = string.IsNullOrWhiteSpace(timeout) ? null : SandboxTools.Named("timeout", () => Units.ParseDuration(timeout)),
            };
            await ToolAccess.RequireAsync("exec_command", Scopes.SandboxExec, sandbox_id, backend.Sandboxes, cancellationToken);
            var (outcome, approval) = await HeldCall.RunAsync(backend, sandbox_id, progress, () => backend.Sandboxes.CollectAsync(sandbox_id, request, cancellationToken), cancellationToken);
            return ToolCall.Text(ToolText.Exec(outcome, approval));
        }, cancellationToken);

    private static IReadOnlyList<string> Argv(string? command, string[]? argv)
    {
        var hasCommand = !string.IsNullOrWhiteSpace(command);
        var hasArgv = argv is { Length: > 0 };
        return (hasCommand, hasArgv) switch
        {
            (true, false) => ["sh", "-c", command!],
            (false, true) => argv!,
            (true, true) => throw AirlockException.Invalid("give either 'command' (a shell command line) or 'argv' (an argument list), not both"),
            _ => throw AirlockException.Invalid("nothing to run: give 'command' (a shell command line, e.g. \"ls -la\") or 'argv' (e.g. [\"ls\", \"-la\"])"),
        };
    }
}
