using Airlock.Core;
using Airlock.Core.Engine;

namespace Airlock.Backends.MicroVm.Tests;

/// <summary>What the VM tests need from the host: root, QEMU, the guest kernel, a built image and the agent.</summary>
internal static class MicroVmHost
{
    public static readonly string Rootfs = Path.Combine(
        Environment.GetEnvironmentVariable("AIRLOCK_IMAGES") is { Length: > 0 } images ? images : "/var/lib/airlock/images", "python", "rootfs");

    public static string? SkipReason
    {
        get
        {
            if (Environment.UserName != "root") return "needs root";
            if (!Directory.Exists(Rootfs)) return $"no image at {Rootfs} (build it with `airlock image build python`)";
            if (GuestKernel.Find(new MicroVmBackendOptions().KernelDirectory) is null) return "no guest kernel: " + GuestKernel.Fix;
            return null;
        }
    }

    public static string AgentPath => AgentLocator.Locate();

    /// <summary>A fresh data directory that QEMU's unprivileged uid can traverse (0711), as /var/lib/airlock is.</summary>
    public static AirlockPaths NewDataDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("airlock-microvm-test-").FullName;
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return new AirlockPaths(directory);
    }

    /// <summary>A template directory of the test's own, in memory as the default one is (no test's snapshots on the disk other tests measure).</summary>
    public static string NewTemplateDirectory() => Path.Combine("/dev/shm", "airlock-templates-test-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The small sandbox the VM tests create: 1 vCPU, 256 MiB, 128 tasks, a 256 MiB disk, hostname sbx-ID.</summary>
    public static Airlock.Core.Backends.BackendCreateRequest Request(string id, Dictionary<string, string>? env = null) => new()
    {
        Id = id,
        ImageRootfs = Rootfs,
        AgentPath = AgentPath,
        Cpus = 1,
        MemoryBytes = 256L << 20,
        Pids = 128,
        DiskBytes = 256L << 20,
        Hostname = "sbx-" + id,
        Env = env ?? [],
    };

    public static string NewId() => "t" + Guid.NewGuid().ToString("N")[..12];
}

[AttributeUsage(AttributeTargets.Method)]
internal sealed class MicroVmFactAttribute : FactAttribute
{
    public MicroVmFactAttribute()
    {
        if (MicroVmHost.SkipReason is { } reason) Skip = reason;
        Timeout = 180_000;
    }
}

/// <summary>VM boots run one at a time: two cores, shared with other builds.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MicroVmCollection
{
    public const string Name = "microvm";
}
