using Airlock.Oci.Spec;

namespace Airlock.Oci;

/// <summary>The options a backend composes into a sandbox spec. Each changes one concern.</summary>
public static class SpecOptions
{
    public const ulong CpuPeriod = 100_000;

    public static SpecOption WithRootfs(string path) => spec => spec with { Root = new RootSpec(path) };

    public static SpecOption WithHostname(string hostname) => spec => spec with { Hostname = hostname };

    /// <summary>Root inside is <paramref name="hostBase"/> outside. Host id 0 is refused outright.</summary>
    public static SpecOption WithUserNamespace(uint hostBase, uint size) => spec =>
    {
        if (hostBase == 0 || size == 0 || (ulong)hostBase + size > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(hostBase), $"refusing id mapping {hostBase}+{size}: host root must never be mapped");
        }

        IReadOnlyList<IdMappingSpec> mapping = [new IdMappingSpec(0, hostBase, size)];
        return spec with { Linux = spec.Linux with { UidMappings = mapping, GidMappings = mapping } };
    };

    public static SpecOption WithArgs(params IReadOnlyList<string> args) =>
        spec => spec with { Process = spec.Process with { Args = args } };

    /// <summary>The real sandbox init: the guest agent serving on its socket, exiting after the TTL.</summary>
    public static SpecOption WithAgentProcess(TimeSpan? ttl, int? childTasks = null, long? memoryBytes = null) => WithArgs(AgentContract.Args(ttl, childTasks, memoryBytes));

    /// <summary>Adds variables after the default PATH; a variable given again replaces the earlier one.</summary>
    public static SpecOption WithEnv(IReadOnlyDictionary<string, string> env) => spec =>
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in spec.Process.Env)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            merged[eq < 0 ? entry : entry[..eq]] = eq < 0 ? "" : entry[(eq + 1)..];
        }

        foreach (var (key, value) in env)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"invalid environment variable name '{key}'", nameof(env));
            }

            merged[key] = value;
        }

        return spec with { Process = spec.Process with { Env = [.. merged.Select(kv => $"{kv.Key}={kv.Value}")] } };
    };

    /// <summary>devpts owned by the image's <c>tty</c> group when it has one; without it the gid= option would point at nobody.</summary>
    public static SpecOption WithDevPtsGroup(uint? gid) => spec =>
    {
        var devPts = HardenedDefaults.StandardMounts(gid).Single(m => m.Destination == "/dev/pts");
        return spec with { Mounts = [.. spec.Mounts.Select(m => m.Destination == "/dev/pts" ? devPts : m)] };
    };

    /// <summary>The agent binary, read-only and executable: the only host file a sandbox sees.</summary>
    public static SpecOption WithAgentBinary(string hostPath) =>
        WithBindMount(hostPath, AgentContract.BinaryPath, ["bind", "ro", "nosuid", "nodev"]);

    /// <summary>The agent's socket directory (a directory on the sandbox's own quota disk).</summary>
    public static SpecOption WithAgentSocketDirectory(string hostPath) =>
        WithBindMount(hostPath, AgentContract.SocketDirectory, ["bind", "nosuid", "nodev", "noexec"]);

    internal static SpecOption WithBindMount(string hostPath, string destination, IReadOnlyList<string> options) => spec =>
    {
        if (!Path.IsPathFullyQualified(hostPath))
        {
            throw new ArgumentException($"bind mount source must be absolute: {hostPath}", nameof(hostPath));
        }

        return spec with { Mounts = [.. spec.Mounts.Where(m => m.Destination != destination), new MountSpec(destination, "bind", hostPath, options)] };
    };

    /// <summary>Replaces (or adds) one rlimit, e.g. to lower RLIMIT_NOFILE to what a host without CAP_SYS_RESOURCE can grant.</summary>
    public static SpecOption WithRlimit(string type, ulong hard, ulong soft) => spec => spec with
    {
        Process = spec.Process with { Rlimits = [.. spec.Process.Rlimits.Where(r => r.Type != type), new RlimitSpec(type, hard, soft)] },
    };

    /// <summary>
    /// Joins the network namespace at <paramref name="path"/> (made by the engine, with the egress gateway as its only
    /// way out) instead of creating an empty one. Null leaves the spec alone. That namespace belongs to the host's user
    /// namespace, and the kernel lets only a mounter privileged over a network namespace mount sysfs in it; the
    /// sandbox's root is not, so /sys becomes a tiny empty tmpfs (writable only so that the runtime can make the cgroup
    /// mount point in it) rather
    /// than a bind of the host's /sys, which would show the host's devices and network interfaces.
    /// </summary>
    public static SpecOption WithNetworkNamespace(string? path) => spec =>
    {
        if (path is null) return spec;
        if (!Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"network namespace path must be absolute: {path}", nameof(path));
        }

        return spec with
        {
            Linux = spec.Linux with { Namespaces = [.. spec.Linux.Namespaces.Select(n => n.Type == "network" ? new NamespaceSpec("network", path) : n)] },
            Mounts = [.. spec.Mounts.Select(m => m.Destination == "/sys" ? new MountSpec("/sys", "tmpfs", "tmpfs", ["nosuid", "noexec", "nodev", "mode=555", "size=16k"]) : m)],
        };
    };

    public static SpecOption WithCgroupsPath(string path) => spec => spec with { Linux = spec.Linux with { CgroupsPath = path } };

    public static SpecOption WithCpus(double cpus) => spec =>
    {
        if (!(cpus > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(cpus), cpus, "cpus must be positive");
        }

        var quota = Math.Max(1000, (long)Math.Round(cpus * CpuPeriod));
        return WithResources(spec, r => r with { Cpu = new CpuSpec(quota, CpuPeriod) });
    };

    /// <summary>Memory limit; with <paramref name="limitSwap"/> the memory+swap limit equals it, so no swap at all.</summary>
    public static SpecOption WithMemory(long bytes, bool limitSwap = true) => spec =>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 4L << 20);
        return WithResources(spec, r => r with { Memory = new MemorySpec(bytes, limitSwap ? bytes : null) });
    };

    public static SpecOption WithPids(int limit) => spec =>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return WithResources(spec, r => r with { Pids = new PidsSpec(limit) });
    };

    private static RuntimeSpec WithResources(RuntimeSpec spec, Func<ResourcesSpec, ResourcesSpec> change) =>
        spec with { Linux = spec.Linux with { Resources = change(spec.Linux.Resources ?? new ResourcesSpec()) } };
}
