using System.Collections.Concurrent;
using Airlock.Backends.Runc;
using Airlock.Core.Backends;
using Airlock.Oci;

namespace Airlock.Backends.Gvisor;

/// <summary>
/// Whether this host can run gVisor sandboxes, judged by running one: <c>runsc do uname -r</c> boots a
/// sentry on the host's root (read-only, in-memory overlay) with the configured platform. A success is
/// cached for the process's life; a failure is re-checked on the next call, so installing runsc is seen
/// without a restart.
/// </summary>
internal static class GvisorProbe
{
    private const string Fix = "apt-get install runsc";
    private static readonly ConcurrentDictionary<(string Runsc, string Platform), TierProbe> Available = new();

    public static TierProbe Run(string tier, string runscPath, string platform)
    {
        if (Available.TryGetValue((runscPath, platform), out var cached))
        {
            return cached;
        }

        var marker = BootCacheFile(runscPath, platform);
        if (marker is not null && File.Exists(marker))
        {
            var reason = File.ReadAllText(marker).Trim();
            var remembered = new TierProbe(tier, true, reason, HostChecks: [RunscCheck(true, reason)]);
            Available[(runscPath, platform)] = remembered;
            return remembered;
        }

        var probe = Check(tier, runscPath, platform);
        if (probe.Available)
        {
            Available[(runscPath, platform)] = probe;
            Remember(marker, probe.Reason);
        }

        return probe;
    }

    /// <summary>
    /// A successful probe sandbox costs ~160 ms; every CLI call would pay it. Remember success until the
    /// host reboots (/run is a tmpfs) or runsc changes (its size and mtime are in the name).
    /// </summary>
    private static string? BootCacheFile(string runscPath, string platform)
    {
        var binary = Path.IsPathRooted(runscPath) ? runscPath
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, runscPath)).FirstOrDefault(File.Exists);
        if (binary is null || !Directory.Exists("/run")) return null;
        var file = new FileInfo(binary);
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}|{platform}")))[..16];
        return $"/run/airlock/gvisor-probe-{key}";
    }

    private static void Remember(string? marker, string reason)
    {
        if (marker is null) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
            File.WriteAllText(marker, reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a cache: the next process probes again.
        }
    }

    private static Core.Doctor.DoctorCheck RunscCheck(bool ok, string detail) => new()
    {
        Name = "runsc",
        Ok = ok,
        Detail = detail,
        Fix = ok ? null : Fix,
        Package = ok ? null : "runsc",
        Informational = true,
    };

    private static TierProbe Check(string tier, string runscPath, string platform)
    {
        string version;
        try
        {
            var result = HostCommand.RunAsync(runscPath, ["--version"], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            if (!result.Succeeded)
            {
                return new TierProbe(tier, false, $"{runscPath} --version failed: {result.Message}", Fix);
            }

            version = result.Stdout.Split('\n')[0].Trim();
        }
        catch (HostCommandException e)
        {
            return new TierProbe(tier, false, $"runsc not found: {e.Message}", Fix, HostChecks: [RunscCheck(false, "runsc not found (the gvisor tier's runtime)")]);
        }

        if (!HostFacts.IsRoot())
        {
            return new TierProbe(tier, false, "the gvisor tier needs root (loop mounts, overlayfs, cgroups, runsc's namespaces)", "run the daemon as root");
        }

        if (platform == "kvm" && !File.Exists("/dev/kvm"))
        {
            return new TierProbe(tier, false, "gVisor's kvm platform needs /dev/kvm, which this host does not have", "use the ptrace platform");
        }

        if (!File.Exists("/dev/loop-control") || !File.ReadAllText("/proc/filesystems").Contains("\toverlay", StringComparison.Ordinal))
        {
            return new TierProbe(tier, false, "loop devices or overlayfs are not available", "modprobe loop overlay");
        }

        var scratch = Directory.CreateTempSubdirectory("airlock-runsc-probe-");
        try
        {
            var boot = HostCommand.RunAsync(
                runscPath,
                ["--root", scratch.FullName, "--platform=" + platform, "--network=none", "--ignore-cgroups", "do", "uname", "-r"],
                TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (!boot.Succeeded)
            {
                return new TierProbe(tier, false, $"{version}: a probe sandbox did not run (platform {platform}): {boot.Message}", Fix);
            }

            return new TierProbe(tier, true, $"{version}; platform {platform}; probe sandbox ran, guest kernel {boot.Stdout.Trim()}", HostChecks: [RunscCheck(true, $"{version} ({platform} platform; a probe sandbox ran)")]);
        }
        catch (HostCommandException e)
        {
            return new TierProbe(tier, false, $"{version}: a probe sandbox did not run: {e.Message}", Fix);
        }
        finally
        {
            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
