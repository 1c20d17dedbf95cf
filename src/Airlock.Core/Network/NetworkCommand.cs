using System.ComponentModel;
using System.Diagnostics;

namespace Airlock.Core.Network;

/// <summary>
/// Runs iproute2 (ip, tc) and nft with an optional script on stdin (their <c>-batch -</c> and <c>-f -</c> forms), so a
/// whole step is one process. Public for the backends that wire a sandbox into the engine's network (the microVM's NIC).
/// </summary>
public static class NetworkCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the command; a non-zero exit throws with the tool's own message.</summary>
    public static async Task RunAsync(string tool, IReadOnlyList<string> args, string? stdin = null)
    {
        var (code, error) = await TryRunAsync(tool, args, stdin);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {error.Trim()}");
        }
    }

    public static async Task<(int ExitCode, string Stderr)> TryRunAsync(string tool, IReadOnlyList<string> args, string? stdin = null)
    {
        var file = Doctor.HostCommand.Find(tool)
            ?? throw AirlockException.Unavailable($"{tool} is not installed; network policies need it (Debian: apt-get install iproute2 nftables)");
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw AirlockException.Unavailable($"cannot run {file}: {e.Message}");
        }

        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{tool} did not finish within {Timeout.TotalSeconds:0}s");
        }

        await stdout;
        return (process.ExitCode, await stderr);
    }
}
