namespace Airlock.Core.Doctor;

/// <summary>
/// Checks what this host offers each isolation tier. Read-only: it runs version commands and one
/// throw-away <c>unshare -U true</c>, and changes nothing (<c>doctor --fix</c> installs
/// <see cref="DoctorReport.MissingPackages"/> separately).
/// </summary>
public static partial class HostDoctor
{
    /// <summary>
    /// Host checks, plus each tier's availability as its backend's own probe reports it — the same probe
    /// that <c>--isolation auto</c> consults, so doctor and create can never disagree.
    /// </summary>
    public static DoctorReport Run(IReadOnlyList<Backends.ISandboxBackend> backends)
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
        };
        var probes = backends.Select(b => b.Probe()).ToList();
        checks.AddRange(probes.SelectMany(p => p.HostChecks ?? []));

        return new DoctorReport
        {
            Checks = checks,
            Tiers = Tiers(probes),
            AutoChoice = AutoChoice(backends),
            CgroupVersion = cgroup,
            Kernel = Read("/proc/sys/kernel/osrelease").Trim(),
        };
    }

    internal static IReadOnlyList<TierStatus> Tiers(IReadOnlyList<Backends.TierProbe> probes) =>
        // Every tier Airlock knows, strongest first; a tier without a backend in this build is reported as such.
        Engine.TierSelector.DefaultAutoOrder
            .Select(tier => probes.FirstOrDefault(p => p.Tier == tier) is { } probe
                ? new TierStatus { Name = tier, Available = probe.Available, ForAuto = probe is { Available: true, NotForAuto: null }, Reason = probe.Available && probe.NotForAuto is { } skip ? $"{probe.Reason}; auto passes over it: {skip}" : probe.Reason, Fix = probe.Fix }
                : new TierStatus { Name = tier, Available = false, Reason = "not built into this version of Airlock" })
            .ToList();

    private static string AutoChoice(IReadOnlyList<Backends.ISandboxBackend> backends)
    {
        try
        {
            var (backend, reason) = Engine.TierSelector.Select("auto", backends, autoOrder: Engine.EngineOptions.ConfiguredAutoOrder());
            return $"{backend.Tier} ({reason})";
        }
        catch (AirlockException e)
        {
            return "none: " + e.Message;
        }
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
