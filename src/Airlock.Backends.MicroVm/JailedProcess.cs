using System.Diagnostics;
using System.Globalization;
using Airlock.Oci;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// Starts a VMM-side process (QEMU, the bridge) the way Firecracker's jailer does, with standard tools: a root
/// shell moves itself into the sandbox's cgroups and writes its pid to a root-owned pid file, then execs
/// <c>setsid</c> (own session: a daemon's Ctrl-C or exit does not reach it) and <c>setpriv</c> (the
/// unprivileged uid/gid, no supplementary groups, no capabilities, no_new_privs), which execs the program. The
/// environment is PATH alone (and the PWD the shell adds), the working directory /.
/// Before <c>setsid</c>, still as root, the process enters its network namespace: a new empty one by default
/// (<see cref="NoNetwork"/>: the VMM reaches no host socket but the unix ones of its own sandbox), or the one a caller's
/// prefix names (a sandbox's network, see <see cref="GuestNic"/>). Every exec keeps the pid, so the pid file names the
/// final process before it runs a single instruction.
/// </summary>
internal static class JailedProcess
{
    private const string Wrapper =
        "pidfile=$1; log=$2; shift 2; " +
        "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 97; shift; done; shift; " +
        "echo $$ > \"$pidfile\" || exit 98; " +
        "exec \"$@\" </dev/null >>\"$log\" 2>&1";

    /// <summary>The default network of a jailed process: a namespace of its own with nothing in it (not even loopback up).</summary>
    public static readonly IReadOnlyList<string> NoNetwork = ["unshare", "--net"];

    public static async Task<int> StartAsync(string pidFile, string logFile, IReadOnlyList<string> cgroupProcs, uint uid, IReadOnlyList<string> command, CancellationToken cancellationToken, IReadOnlyList<string>? network = null)
    {
        var id = uid.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        // Nothing of the daemon's environment (which may hold a secret's source, env:VAR) reaches the VMM side.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var arg in (string[])["-c", Wrapper, "sh", pidFile, logFile, .. cgroupProcs, "--", .. network ?? NoNetwork,
                     "setsid", "setpriv", $"--reuid={id}", $"--regid={id}", "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--",
                     .. command])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new HostCommandException($"cannot start {command[0]}");
        for (var i = 0; i < 2000; i++)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid) && pid == process.Id)
            {
                return pid;
            }

            if (process.HasExited)
            {
                throw new HostCommandException($"{Path.GetFileName(command[0])} did not start (exit {process.ExitCode}): {Tail(logFile)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), cancellationToken);
        }

        throw new HostCommandException($"{Path.GetFileName(command[0])} did not write its pid file {pidFile}");
    }

    public static string Tail(string logFile)
    {
        try
        {
            var text = File.ReadAllText(logFile).Trim();
            return text.Length > 2000 ? text[^2000..] : text;
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
