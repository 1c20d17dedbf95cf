using Airlock.Core.Backends;
using Airlock.Oci;

namespace Airlock.Backends.Runc;

/// <summary>Whether this host can run container sandboxes: each check names what is missing and how to fix it.</summary>
internal static class HostProbe
{
    public static TierProbe Run(string tier, string runcPath, ref string? cachedVersion)
    {
        if (cachedVersion is null)
        {
            try
            {
                var result = HostCommand.RunAsync(runcPath, ["--version"], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                if (!result.Succeeded)
                {
                    return new TierProbe(tier, false, $"{runcPath} --version failed: {result.Message}", "apt-get install runc");
                }

                cachedVersion = result.Stdout.Split('\n')[0].Trim();
            }
            catch (HostCommandException e)
            {
                return new TierProbe(tier, false, $"runc not found: {e.Message}", "apt-get install runc");
            }
        }

        if (!HostFacts.IsRoot())
        {
            return new TierProbe(tier, false, "the container tier needs root (loop mounts, overlayfs, cgroups)", "run the daemon as root");
        }

        if (!int.TryParse(ReadOrEmpty("/proc/sys/user/max_user_namespaces"), out var maxUserNs) || maxUserNs == 0)
        {
            return new TierProbe(tier, false, "user namespaces are disabled (user.max_user_namespaces = 0)", "sysctl -w user.max_user_namespaces=15000");
        }

        if (!ReadOrEmpty("/proc/self/status").Contains("Seccomp:", StringComparison.Ordinal))
        {
            return new TierProbe(tier, false, "the kernel has no seccomp support (CONFIG_SECCOMP)", "use a kernel built with CONFIG_SECCOMP_FILTER");
        }

        if (!ReadOrEmpty("/proc/filesystems").Contains("\toverlay", StringComparison.Ordinal))
        {
            return new TierProbe(tier, false, "overlayfs is not available", "modprobe overlay");
        }

        if (!File.Exists("/dev/loop-control"))
        {
            return new TierProbe(tier, false, "loop devices are not available (/dev/loop-control missing)", "modprobe loop");
        }

        var hierarchies = SandboxCgroups.Hierarchies();
        var v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        var v1 = hierarchies.Any(h => !h.IsV2 && h.Options.Contains("memory"));
        if (!v1 && !v2)
        {
            return new TierProbe(tier, false, "no cgroup memory controller found (neither v1 nor v2)", "mount cgroup2 on /sys/fs/cgroup");
        }

        var cgroups = v2 ? "cgroup v2" : hierarchies.Any(h => h.IsV2) ? "cgroup v1 (hybrid)" : "cgroup v1";
        return new TierProbe(tier, true, $"{cachedVersion}; {cgroups}; user namespaces, seccomp, overlayfs available");
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
