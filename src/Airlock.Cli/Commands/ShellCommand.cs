using System.CommandLine;
using Airlock.Cli.Infrastructure;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock shell ID [-- CMD ARG...]</c>: attaches this terminal to a shell (or CMD) on a pseudo-terminal inside the
/// sandbox, through a daemon's WebSocket or the embedded engine; exits with the shell's exit code.
/// </summary>
internal static class ShellCommand
{
    public static Command Build(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "Sandbox id" };
        var command = new Command("shell", "Attach this terminal to a shell inside a sandbox (or to CMD after --)") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var channels = backend.Sandboxes as ISandboxChannels
                ?? throw new UsageException("airlock shell needs a daemon or the embedded engine");
            var (columns, rows) = LocalTerminal.Size();
            await using var terminal = await channels.OpenTerminalAsync(parse.GetValue(id)!, new TerminalRequest
            {
                Columns = columns,
                Rows = rows,
                Command = context.Command.Count > 0 ? context.Command : TerminalRequest.DefaultShell,
            }, cancellationToken);

            using var local = new LocalTerminal();
            local.OnResize((c, r) => _ = ResizeQuietlyAsync(terminal, c, r));
            _ = PumpInputAsync(context.Console.Input, terminal);
            await terminal.Output.CopyToAsync(new FlushingStream(context.Console.OutputStream), cancellationToken);
            return await terminal.WaitForExitAsync(cancellationToken);
        });
        return command;
    }

    /// <summary>Keystrokes (or piped bytes) to the terminal; the end of a piped stdin types ^D.</summary>
    private static async Task PumpInputAsync(Stream stdin, ISandboxTerminal terminal)
    {
        byte[] buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stdin.ReadAsync(buffer)) > 0) await terminal.Input.WriteAsync(buffer.AsMemory(0, n));
            await terminal.Input.DisposeAsync();
        }
        catch (Exception e) when (e is AirlockException or IOException or ObjectDisposedException)
        {
            // The session ended while we were reading.
        }
    }

    private static async Task ResizeQuietlyAsync(ISandboxTerminal terminal, int columns, int rows)
    {
        try
        {
            await terminal.ResizeAsync(columns, rows);
        }
        catch (Exception e) when (e is AirlockException or IOException or ObjectDisposedException)
        {
        }
    }
}
