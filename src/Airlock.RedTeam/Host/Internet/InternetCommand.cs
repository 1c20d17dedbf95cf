using System.Diagnostics;

namespace Airlock.RedTeam.Host.Internet;

/// <summary>ip and nft, run for the battery's internet: the exit code, output and error, bounded in time.</summary>
internal static class InternetCommand
{
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> args, string? stdin = null)
    {
        var (code, stdout, stderr) = await TryAsync(file, args, stdin);
        return code == 0 ? stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {stderr.Trim()}");
    }

    public static async Task<(int Code, string Stdout, string Stderr)> TryAsync(string file, IReadOnlyList<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await stdout, "timed out");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
