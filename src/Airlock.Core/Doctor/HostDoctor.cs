namespace Airlock.Core.Doctor;

/// <summary>
/// Checks what this host offers each isolation tier. Read-only: it runs version commands and one
/// throw-away <c>unshare -U true</c>, and changes nothing (<c>doctor --fix</c> installs
/// <see cref="DoctorReport.MissingPackages"/> separately).
/// </summary>
public static partial class HostDoctor
{
    /// <summary>The checks the container tier (runc) needs; every other check is for images or later tiers.</summary>
    internal static readonly IReadOnlyList<string> ContainerTierNeeds = ["root", "runc", "userns", "seccomp", "overlayfs", "loop", "mkfs.ext4"];

    public static DoctorReport Run()
    {
        var mounts = Read("/proc/mounts");
        var cgroup = HostProbes.CgroupVersion(mounts);
        var checks = new List<DoctorCheck>
        {
            CheckRoot(),
            CheckVersion("runc", "runc", ["--version"], "runc", "the OCI runtime that starts container sandboxes"),
            CheckCgroup(cgroup),
            CheckUserNamespaces(),
            CheckSeccomp(),
            CheckOverlay(),
            CheckLoopDevices(),
            CheckProgram("mkfs.ext4", "mkfs.ext4", "e2fsprogs", "formats the per-sandbox disk (--disk quota)"),
            CheckVersion("mmdebstrap", "mmdebstrap", ["--version"], "mmdebstrap", "builds the default image from Debian packages"),
            CheckVersion("nftables", "nft", ["--version"], "nftables", "egress filtering (used by the network layer)") with { Informational = true },
            CheckKvm(),
            CheckRunsc(),
        };

        return new DoctorReport
        {
            Checks = checks,
            Tiers = Tiers(checks),
            CgroupVersion = cgroup,
            Kernel = Read("/proc/sys/kernel/osrelease").Trim(),
        };
    }

    internal static IReadOnlyList<TierStatus> Tiers(IReadOnlyList<DoctorCheck> checks)
    {
        var failed = ContainerTierNeeds
            .Where(need => checks.FirstOrDefault(check => check.Name == need) is not { Ok: true })
            .ToList();
        return
        [
            new TierStatus
            {
                Name = "container",
                Available = failed.Count == 0,
                Reason = failed.Count == 0 ? "ready (runc)" : "missing: " + string.Join(", ", failed),
            },
            new TierStatus { Name = "gvisor", Available = false, Reason = "not implemented yet" },
            new TierStatus { Name = "microvm", Available = false, Reason = "not implemented yet" },
        ];
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
