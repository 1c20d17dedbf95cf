using System.Diagnostics;
using System.Text;

namespace Airlock.Oci;

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The most useful line for a person: stderr if any, else stdout.</summary>
    public string Message => (Stderr.Trim() is { Length: > 0 } err ? err : Stdout.Trim()) is { Length: > 0 } text ? text : $"exit code {ExitCode}";
}

public sealed class HostCommandException(string message) : Exception(message);

/// <summary>
/// Runs a host binary with every stdio redirected (so it inherits none of our descriptors: .NET opens
/// everything close-on-exec) and captures its output. Never through a shell unless the caller asks.
/// </summary>
public static class HostCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostCommandException($"cannot run {fileName}: {e.Message}");
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
            return new CommandResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new HostCommandException($"{fileName} {string.Join(' ', startInfo.ArgumentList)} did not finish within {timeout ?? DefaultTimeout}");
        }
    }

    /// <summary>Like <see cref="RunAsync"/> but throws with the command's own error text when it fails.</summary>
    public static async Task<CommandResult> CheckAsync(string fileName, IEnumerable<string> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var argList = args.ToList();
        var result = await RunAsync(fileName, argList, timeout, cancellationToken);
        return result.Succeeded
            ? result
            : throw new HostCommandException($"{Path.GetFileName(fileName)} {string.Join(' ', argList)} failed: {result.Message}");
    }
}
