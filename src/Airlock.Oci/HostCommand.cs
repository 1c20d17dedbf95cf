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
        await using var command = Start(fileName, args, cancellationToken);
        return await command.FinishAsync(null, timeout, cancellationToken);
    }

    /// <summary>
    /// Starts the command with its standard input left open, for the caller to write to (or close) later through
    /// <see cref="StartedCommand.FinishAsync"/>: how a launcher is started early and told when to go on.
    /// </summary>
    public static StartedCommand Start(string fileName, IEnumerable<string> args, CancellationToken cancellationToken = default)
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

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new HostCommandException($"cannot run {fileName}: {e.Message}");
        }

        return new StartedCommand(process, cancellationToken);
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

/// <summary>
/// A host command started by <see cref="HostCommand.Start"/>: its output is being read, its standard input is still
/// open. <see cref="FinishAsync"/> writes the input, closes it and waits; disposing it unfinished closes the input and
/// reaps the command (killed if it does not end within a few seconds of that).
/// </summary>
public sealed class StartedCommand : IAsyncDisposable
{
    private static readonly TimeSpan GraceAfterInputEnds = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private bool _finished;

    internal StartedCommand(Process process, CancellationToken cancellationToken)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        _stderr = process.StandardError.ReadToEndAsync(cancellationToken);
    }

    /// <summary>Writes <paramref name="input"/> (if any), closes standard input and waits for the command's exit.</summary>
    public async Task<CommandResult> FinishAsync(string? input, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        _finished = true;
        try
        {
            if (input is not null)
            {
                await _process.StandardInput.WriteAsync(input);
            }

            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command has already exited (a broken pipe): its exit code and stderr say why.
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? HostCommand.DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(timeoutSource.Token);
            return new CommandResult(_process.ExitCode, await _stdout, await _stderr);
        }
        catch (OperationCanceledException)
        {
            Kill();
            cancellationToken.ThrowIfCancellationRequested();
            throw new HostCommandException($"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not finish within {timeout ?? HostCommand.DefaultTimeout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
            }

            using var grace = new CancellationTokenSource(GraceAfterInputEnds);
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
    }
}
