using Airlock.RedTeam.Host;

namespace Airlock.RedTeam.Cases.Resources;

/// <summary>Disk space and inodes: the sandbox's writable layer is a quota'd image; the host's filesystem must not pay.</summary>
internal static class DiskAttacks
{
    private const long Slack = 64L << 20;

    public static IEnumerable<Model.IAttackCase> All()
    {
        yield return new ResourceAttack
        {
            Name = "disk-fill",
            Attempts = "write 2 GiB to /workspace and /tmp under --disk 128m; host: the sandbox's host directory stays within the quota",
            Script = "dd if=/dev/urandom of=/workspace/fill bs=1M count=2048 2>&1 | tail -1; dd if=/dev/zero of=/tmp/fill bs=1M count=2048 2>&1 | tail -1; df -h /workspace",
            Timeout = TimeSpan.FromSeconds(40),
            Judge = Disk,
        };
        yield return new ResourceAttack
        {
            Name = "inode-exhaustion",
            Attempts = "create empty files until refused (30 s) under --disk 128m; host: the sandbox's host directory stays within the quota",
            Script = "mkdir -p /workspace/i && cd /workspace/i && timeout 30 sh -c 'i=0; while touch f$i 2>/dev/null; do i=$((i+1)); done; echo made $i'; df -i /workspace | tail -1",
            Timeout = TimeSpan.FromSeconds(40),
            Judge = Disk,
        };
    }

    private static (IReadOnlyList<string>, string) Disk(ResourceEvidence e)
    {
        var quota = e.Sandbox.Limits.DiskBytes ?? 128L << 20;
        var findings = new List<string>();
        // The sandbox's host directory holds its writable layer (container, gVisor: a quota'd image file;
        // microVM: its qcow2 overlay): the only place its writes may land on the host.
        var memoryOnTop = e.Sandbox.Limits.MemoryBytes ?? 0;
        if (e.SandboxDiskBytes > quota + memoryOnTop + Slack) findings.Add($"the sandbox's host directory holds {HostVitals.Mib(e.SandboxDiskBytes)}, over the --disk quota {HostVitals.Mib(quota)}");
        return (findings, $"sandbox host directory {HostVitals.Mib(e.SandboxDiskBytes)} on disk for --disk {HostVitals.Mib(quota)}");
    }
}
