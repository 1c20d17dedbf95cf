using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Airlock.Core.Network;

/// <summary>
/// The per-sandbox gateway process: the hidden <c>airlock gateway</c> verb, started in its own session (setsid)
/// so it outlives an embedded <c>airlock create</c> and lives exactly as long as the sandbox: destroy and the
/// orphan sweep kill it by the pid recorded in the sandbox's egress directory, and it exits by itself when that
/// directory disappears. Its stdio are pipes closed at once; it writes its own log to <c>gateway.log</c>.
/// </summary>
internal static class GatewayProcess
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public static async Task<GatewayReady> StartAsync(IReadOnlyList<string> command, EgressDirectory directory, CancellationToken cancellationToken)
    {
        var setsid = Doctor.HostCommand.Find("setsid") ?? throw AirlockException.Unavailable("setsid (util-linux) is not installed; the egress gateway needs it");
        var start = new ProcessStartInfo(setsid)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var part in command) start.ArgumentList.Add(part);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(directory.Config);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("no process");
        }
        catch (Win32Exception e)
        {
            throw AirlockException.Unavailable($"cannot start the egress gateway ({string.Join(' ', command)}): {e.Message}");
        }

        using (process)
        {
            // setsid execs in place (a child is never a group leader), so this pid is the gateway's own.
            await File.WriteAllTextAsync(directory.PidFile, process.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            process.StandardInput.Close();
            process.StandardOutput.Close();
            process.StandardError.Close();
            var watch = Stopwatch.StartNew();
            while (true)
            {
                if (File.Exists(directory.ReadyFile))
                {
                    return JsonSerializer.Deserialize(await File.ReadAllTextAsync(directory.ReadyFile, cancellationToken), GatewayConfigJson.Default.GatewayReady)
                        ?? throw new InvalidOperationException($"{directory.ReadyFile} is empty");
                }

                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the egress gateway exited with code {process.ExitCode} before listening: {ReadLogTail(directory)}");
                }

                if (watch.Elapsed > ReadyTimeout)
                {
                    throw new TimeoutException($"the egress gateway did not listen within {ReadyTimeout.TotalSeconds:0}s: {ReadLogTail(directory)}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
            }
        }
    }

    /// <summary>Kills the recorded gateway if that pid is still a gateway of this sandbox (a recycled pid is left alone).</summary>
    public static void Kill(EgressDirectory directory, string sandboxId)
    {
        if (!File.Exists(directory.PidFile)) return;
        if (!int.TryParse(File.ReadAllText(directory.PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return;
        string cmdline;
        try
        {
            cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return;
        }

        if (!cmdline.Contains(directory.Config, StringComparison.Ordinal) || !cmdline.Contains(sandboxId, StringComparison.Ordinal)) return;
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Exited between the check and the kill.
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static string ReadLogTail(EgressDirectory directory)
    {
        try
        {
            var text = File.ReadAllText(directory.LogFile).Trim();
            return text.Length > 2000 ? text[^2000..] : text.Length == 0 ? "(no log)" : text;
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
