namespace Airlock.Core.Doctor;

public static partial class HostDoctor
{
    private static DoctorCheck CheckRoot()
    {
        var uid = HostProbes.EffectiveUid(Read("/proc/self/status"));
        return new DoctorCheck
        {
            Name = "root",
            Ok = uid == 0,
            Detail = uid is null ? "effective uid unknown" : $"effective uid {uid}",
            // Sandboxes need to mount overlays and set up cgroups and user-id maps for their users.
            Fix = uid == 0 ? null : "run airlock as root (sudo airlock ...), or use a daemon started as root (airlock serve)",
        };
    }

    private static DoctorCheck CheckProgram(string name, string program, string package, string purpose)
    {
        var path = HostCommand.Find(program);
        return new DoctorCheck
        {
            Name = name,
            Ok = path is not null,
            Detail = path is not null ? path : $"{program} not found ({purpose})",
            Fix = path is not null ? null : $"apt-get install {package}",
            Package = path is not null ? null : package,
        };
    }

    private static DoctorCheck CheckVersion(string name, string program, string[] versionArguments, string package, string purpose)
    {
        var found = CheckProgram(name, program, package, purpose);
        if (!found.Ok) return found;

        var result = HostCommand.Run(HostCommand.Find(program)!, versionArguments);
        return result.Succeeded
            ? found with { Detail = HostProbes.FirstLine(result.StandardOutput + "\n" + result.StandardError) }
            : found with
            {
                Ok = false,
                Detail = $"{program} {string.Join(' ', versionArguments)} failed: {result.FirstLine}",
                Fix = $"apt-get install --reinstall {package}",
                Package = package,
            };
    }

    private static DoctorCheck CheckCgroup(string version) => new()
    {
        Name = "cgroup",
        Ok = version != "none",
        Detail = version switch
        {
            "v2" => "v2 (unified hierarchy at /sys/fs/cgroup)",
            "hybrid" => "hybrid (v1 controllers, v2 at /sys/fs/cgroup/unified)",
            "v1" => "v1",
            _ => "no cgroup file system mounted under /sys/fs/cgroup",
        },
        Fix = version != "none" ? null : "mount cgroup2 on /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup); systemd does this at boot",
    };

    private static DoctorCheck CheckUserNamespaces()
    {
        var limit = HostProbes.ParseCount(Read("/proc/sys/user/max_user_namespaces"));
        if (limit is not > 0)
        {
            return new DoctorCheck
            {
                Name = "userns",
                Ok = false,
                Detail = limit is null ? "/proc/sys/user/max_user_namespaces is unreadable" : "user.max_user_namespaces is 0",
                Fix = "sysctl -w user.max_user_namespaces=15000 (and set it in /etc/sysctl.d/ to keep it)",
            };
        }

        // The limit alone does not prove it: LSMs and container hosts can still forbid them.
        var unshare = HostCommand.Find("unshare");
        if (unshare is null)
        {
            return new DoctorCheck
            {
                Name = "userns", Ok = false, Detail = "unshare not found", Fix = "apt-get install util-linux", Package = "util-linux",
            };
        }

        var trial = HostCommand.Run(unshare, ["--user", "true"]);
        return new DoctorCheck
        {
            Name = "userns",
            Ok = trial.Succeeded,
            Detail = trial.Succeeded ? $"available (limit {limit})" : $"unshare --user failed: {trial.FirstLine}",
            Fix = trial.Succeeded ? null : "allow user namespaces (kernel.unprivileged_userns_clone=1, AppArmor/SELinux policy, or the container host's seccomp profile)",
        };
    }

    private static DoctorCheck CheckSeccomp()
    {
        var inKernel = HostProbes.KernelHasSeccomp(Read("/proc/self/status"));
        var actions = HostProbes.SeccompActions(Read("/proc/sys/kernel/seccomp/actions_avail"));
        var ok = inKernel && actions.Contains("errno") && actions.Contains("allow");
        return new DoctorCheck
        {
            Name = "seccomp",
            Ok = ok,
            Detail = ok ? $"filters available (actions: {string.Join(' ', actions)})"
                : inKernel ? "seccomp present but filter actions errno/allow are missing"
                : "the kernel was built without seccomp",
            Fix = ok ? null : "use a kernel with CONFIG_SECCOMP_FILTER=y (Debian's kernels have it)",
        };
    }

    private static DoctorCheck CheckOverlay()
    {
        if (HostProbes.HasFileSystem(Read("/proc/filesystems"), "overlay"))
        {
            return new DoctorCheck { Name = "overlayfs", Ok = true, Detail = "overlay file system available" };
        }

        // Not loaded yet: the kernel loads fs-overlay by itself on the first overlay mount.
        var modprobe = HostCommand.Find("modprobe");
        var loadable = modprobe is not null && HostCommand.Run(modprobe, ["--dry-run", "--quiet", "overlay"]).Succeeded;
        return new DoctorCheck
        {
            Name = "overlayfs",
            Ok = loadable,
            Detail = loadable ? "overlay module available (loaded on first use)" : "overlay file system not in /proc/filesystems and no overlay module",
            Fix = loadable ? null : "modprobe overlay, or use a kernel with CONFIG_OVERLAY_FS",
        };
    }

    private static DoctorCheck CheckLoopDevices()
    {
        var ok = File.Exists("/dev/loop-control");
        return new DoctorCheck
        {
            Name = "loop",
            Ok = ok,
            Detail = ok ? "/dev/loop-control present" : "/dev/loop-control missing (needed for per-sandbox disk quotas)",
            Fix = ok ? null : "modprobe loop (in a container: run it with access to /dev/loop-control and /dev/loop*)",
        };
    }
}
