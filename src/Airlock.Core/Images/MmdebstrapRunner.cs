using System.ComponentModel;
using System.Diagnostics;
using Airlock.Core.Doctor;

namespace Airlock.Core.Images;

/// <summary>Runs mmdebstrap to build a Debian root filesystem into a directory.</summary>
internal static class MmdebstrapRunner
{
    /// <summary>A mirror URL, a "deb ..." line, or a sources file that overrides mmdebstrap's default (deb.debian.org + updates + security).</summary>
    public const string MirrorVariable = "AIRLOCK_DEBIAN_MIRROR";

    public static string FindOrThrow() => HostCommand.Find("mmdebstrap")
        ?? throw AirlockException.Unavailable("mmdebstrap is not installed; run scripts/setup.sh or apt-get install mmdebstrap");

    public static async Task RunAsync(string imageName, string target, IReadOnlyList<string> packages, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var start = CreateStartInfo(FindOrThrow(), target, packages);
        var parser = new MmdebstrapProgress();
        var gate = new object();
        void OnLine(string line)
        {
            string? message;
            lock (gate) message = parser.Describe(line);
            if (message is not null) progress?.Report(message);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("Process.Start returned null");
        }
        catch (Win32Exception e)
        {
            throw AirlockException.Unavailable($"could not start mmdebstrap: {e.Message}; run scripts/setup.sh or apt-get install mmdebstrap", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, OnLine), PumpAsync(process.StandardError, OnLine));
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw;
            }

            // A grandchild that escaped could hold the pipes open; do not hang on it.
            await pumps.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            if (process.ExitCode != 0)
            {
                if (parser.MissingPackage is { } missing)
                {
                    throw AirlockException.Invalid($"Debian {ImageNames.Suite} has no package '{missing}'; check the spelling (apt-cache search can help) and build image '{imageName}' again");
                }

                throw AirlockException.Unavailable(
                    $"mmdebstrap failed (exit code {process.ExitCode}) building image '{imageName}'. Last output:\n{parser.Tail}\n" +
                    $"Check that the Debian mirror in /etc/apt/sources.list is reachable (or set {MirrorVariable}), and that mmdebstrap is installed (apt-get install mmdebstrap).");
            }
        }
    }

    private static ProcessStartInfo CreateStartInfo(string mmdebstrap, string target, IReadOnlyList<string> packages)
    {
        var arguments = new List<string>
        {
            "--verbose", "--variant=minbase", "--mode=root", "--format=directory",
            // Documentation and translations are a third of a minimal system and no use to an agent;
            // copyright files stay, as Debian's slim images keep them.
            "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/locale/*",
            "--dpkgopt=path-exclude=/usr/share/doc/*",
            "--dpkgopt=path-include=/usr/share/doc/*/copyright",
            "--aptopt=Acquire::Languages \"none\"",
        };
        if (packages.Count > 0) arguments.Add("--include=" + string.Join(',', packages));
        arguments.Add(ImageNames.Suite);
        arguments.Add(target);
        if (Environment.GetEnvironmentVariable(MirrorVariable) is { Length: > 0 } mirror) arguments.Add(mirror);

        // In root mode mmdebstrap mounts /proc, /sys and /dev into the target in the caller's mount
        // namespace and leaves them behind if it is killed; deleting such a half-built tree would
        // then delete through the bind mounts into the host's /dev. A private mount namespace of
        // its own makes those mounts vanish with the process, however it ends.
        ProcessStartInfo start;
        if (HostCommand.Find("unshare") is { } unshare)
        {
            start = new ProcessStartInfo(unshare);
            foreach (var argument in new[] { "--mount", "--propagation", "private", "--", mmdebstrap }) start.ArgumentList.Add(argument);
        }
        else
        {
            start = new ProcessStartInfo(mmdebstrap);
        }

        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // A closed stdin: nothing in the build (apt, debconf, a maintainer script) can wait on ours.
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        start.Environment["LC_ALL"] = "C";
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        return start;
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line) onLine(line);
    }

    private static void Kill(Process process)
    {
        try
        {
            // By pid, with every descendant (apt, dpkg, maintainer scripts in the chroot).
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (Win32Exception)
        {
            // Already gone, or a child vanished during the walk.
        }
    }
}
