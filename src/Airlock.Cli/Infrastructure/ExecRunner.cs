namespace Airlock.Cli.Infrastructure;

/// <summary>Streams a command's output to ours (stdout to stdout, stderr to stderr, as produced) and turns its end into our exit code.</summary>
internal static class ExecRunner
{
    public static async Task<ExecResult> StreamAsync(ISandboxOperations sandboxes, string id, ExecRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        await foreach (var execEvent in sandboxes.ExecStreamAsync(id, request, cancellationToken))
        {
            switch (execEvent)
            {
                case ExecOutput { Stream: OutputStream.Stderr } error:
                    await console.Error.FlushAsync(cancellationToken);
                    await console.ErrorStream.WriteAsync(error.Data, cancellationToken);
                    await console.ErrorStream.FlushAsync(cancellationToken);
                    break;
                case ExecOutput output:
                    await console.OutputStream.WriteAsync(output.Data, cancellationToken);
                    await console.OutputStream.FlushAsync(cancellationToken);
                    break;
                case ExecExited exited:
                    return exited.Result;
            }
        }

        throw AirlockException.Unavailable("the command's output ended without an exit status");
    }

    /// <summary>
    /// The exit code for <paramref name="result"/>, saying on stderr which limit killed the command:
    /// 137 for memory and pids (as SIGKILL), 124 for the time limit (as coreutils timeout).
    /// </summary>
    /// <param name="limitText">How the limit was given, e.g. "--memory 64m" or "2s"; null when unknown.</param>
    public static int ExitCode(ExecResult result, CliConsole console, Func<string, string?> limitText)
    {
        switch (result.KilledBy)
        {
            case null:
                return result.ExitCode;
            case ExecResult.Limits.Timeout:
                console.Say($"command killed: timeout{Paren(limitText(ExecResult.Limits.Timeout))} exceeded");
                return ExitCodes.Timeout;
            case var limit:
                console.Say($"command killed: {limit} limit{Paren(limitText(limit))} exceeded");
                return ExitCodes.Killed;
        }
    }

    /// <summary>Describes a sandbox's own limits, for when the user gave no flag.</summary>
    public static string? FromInfo(SandboxInfo? info, string limit) => limit switch
    {
        ExecResult.Limits.Memory when info?.Limits.MemoryBytes is { } bytes => "--memory " + Units.FormatSize(bytes),
        ExecResult.Limits.Pids when info?.Limits.Pids is { } pids => $"--pids {pids}",
        _ => null,
    };

    private static string Paren(string? text) => text is null ? "" : $" ({text})";
}
