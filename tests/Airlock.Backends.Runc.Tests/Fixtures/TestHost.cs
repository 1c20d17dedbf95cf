using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Oci;

namespace Airlock.Backends.Runc.Tests.Fixtures;

/// <summary>
/// What integration tests share on this host: a Debian rootfs copy owned by <see cref="HostIdRange"/>
/// (built once into a cache, as the image store would), the stand-in agent, and short data directories
/// (the agent socket path must fit in 107 bytes).
/// </summary>
internal static class TestHost
{
    public const string SourceRootfs = "/tmp/mm/rootfs";
    public const string CacheDirectory = "/var/tmp/airlock-runc-tests";

    private static readonly Lazy<string?> SkipReasonLazy = new(ComputeSkipReason);
    private static readonly Lazy<string> RootfsLazy = new(PrepareShiftedRootfs);
    private static readonly Lazy<string> AgentLazy = new(PrepareAgent);

    public static string? SkipReason => SkipReasonLazy.Value;

    public static string Rootfs => RootfsLazy.Value;

    public static string AgentPath => AgentLazy.Value;

    public static AirlockPaths NewDataDirectory()
    {
        Directory.CreateDirectory(CacheDirectory);
        var dir = Path.Combine(CacheDirectory, "d" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_001_001);
        return new AirlockPaths(dir);
    }

    public static string NewId() => "t" + Guid.NewGuid().ToString("N")[..10];

    private static string? ComputeSkipReason()
    {
        var probe = new RuncBackend(new AirlockPaths(CacheDirectory)).Probe();
        if (!probe.Available)
        {
            return $"container tier unavailable: {probe.Reason} (fix: {probe.Fix})";
        }

        if (!Directory.Exists(Path.Combine(CacheDirectory, "rootfs")) && !Directory.Exists(SourceRootfs) && !File.Exists("/usr/bin/mmdebstrap"))
        {
            return $"no test rootfs: {SourceRootfs} is missing and mmdebstrap is not installed (apt-get install mmdebstrap)";
        }

        return null;
    }

    private static string PrepareAgent()
    {
        Directory.CreateDirectory(CacheDirectory);
        File.SetUnixFileMode(CacheDirectory, (UnixFileMode)0b111_101_101);
        var agent = Path.Combine(CacheDirectory, "stand-in-agent");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "stand-in-agent.py"), agent + ".tmp", overwrite: true);
        File.SetUnixFileMode(agent + ".tmp", (UnixFileMode)0b111_101_101);
        File.Move(agent + ".tmp", agent, overwrite: true);
        return agent;
    }

    /// <summary>cp of /tmp/mm/rootfs with every uid/gid shifted by HostIdRange.Base (tar's owner maps keep setuid bits), built once.</summary>
    private static string PrepareShiftedRootfs()
    {
        Directory.CreateDirectory(CacheDirectory);
        File.SetUnixFileMode(CacheDirectory, (UnixFileMode)0b111_101_101);
        var target = Path.Combine(CacheDirectory, "rootfs");
        using var lockFile = AcquireLock(Path.Combine(CacheDirectory, "rootfs.lock"));
        if (Directory.Exists(target))
        {
            return target;
        }

        if (!Directory.Exists(SourceRootfs))
        {
            Run(TimeSpan.FromMinutes(15), "/bin/sh", "-c", $"mkdir -p /tmp/mm && mmdebstrap --variant=minbase --include=python3,python3-pip,git,procps bookworm {SourceRootfs}");
        }

        var ids = Run(TimeSpan.FromMinutes(2), "find", SourceRootfs, "-xdev", "-printf", "%U\\n%G\\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct();
        var map = Path.Combine(CacheDirectory, "idmap.txt");
        File.WriteAllLines(map, ids.Select(id => $"+{id} +{uint.Parse(id, System.Globalization.CultureInfo.InvariantCulture) + HostIdRange.Base}"));
        var staging = target + ".staging";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        Run(
            TimeSpan.FromMinutes(5),
            "/bin/sh",
            "-c",
            $"tar -C {SourceRootfs} --numeric-owner --owner-map={map} --group-map={map} -cf - . | tar -C {staging} --numeric-owner --same-owner -xpf -");
        Directory.Move(staging, target);
        return target;
    }

    private static FileStream AcquireLock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                Thread.Sleep(500);
            }
        }
    }

    private static string Run(TimeSpan timeout, string file, params string[] args) =>
        HostCommand.CheckAsync(file, args, timeout).GetAwaiter().GetResult().Stdout;
}
