using Airlock.Guest.Bridge;

namespace Airlock.Guest;

/// <summary>
/// <c>airlock-agent serve (--socket PATH | --serial PATH | --dial PATH) [--root DIR] [--ttl-seconds N] [--child-tasks N] [--memory-bytes N] [--cgroup-memory-bytes N] [--path-rule ACCESS:PATH]... [--rng-seed HEX] [--log FILE]</c>.
/// <c>--socket</c>: listen on a unix socket, one connection per operation (runc).
/// <c>--serial</c>: one multiplexed stream on a character device such as a virtio-serial port (microVM).
/// <c>--dial</c>: one multiplexed stream on a connection to a host unix socket, redialled when it drops (gVisor).
/// </summary>
internal sealed record AgentOptions
{
    public required AgentTransport Transport { get; init; }

    /// <summary>The socket, device or host socket path that <see cref="Transport"/> uses.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The sandbox root for file operations and working directories; "/" inside a container.</summary>
    public string Root { get; init; } = "/";

    public int? TtlSeconds { get; init; }

    /// <summary>
    /// Tasks (processes and threads) the sandbox's commands may hold, apart from the agent's own: the host's
    /// pids limit has room for both, so a fork bomb runs out before the agent can no longer start a thread.
    /// </summary>
    public int? ChildTasks { get; init; }

    public string? LogPath { get; init; }

    /// <summary>When set, the agent enforces this memory limit itself (<see cref="Exec.MemoryGuard"/>): the gVisor tier, whose host cgroup holds the whole sentry.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>When set, the agent (the guest's init) builds the guest's own cgroups with this memory limit and <see cref="ChildTasks"/> (the microVM tier).</summary>
    public long? CgroupMemoryBytes { get; init; }

    /// <summary>
    /// Mounts the agent makes before it serves, where it is the guest's init (the microVM tier; the OCI runtimes
    /// mount these themselves): <c>ro:/data</c>, <c>hidden:/secret</c>, <c>rw:/data/out</c>, in order, the path
    /// percent-encoded. See <see cref="Files.GuestPathRules"/>.
    /// </summary>
    public IReadOnlyList<Airlock.Policy.FileRule> PathRules { get; init; } = [];

    /// <summary>
    /// Where the agent is the init of a microVM restored from a template snapshot: 16-256 bytes from the host that the
    /// agent mixes into the guest kernel's random pool, reseeding its generator before anything runs (the clone
    /// starts with the template's generator state). See <see cref="Airlock.Native.KernelRandom"/>.
    /// </summary>
    public byte[]? RandomSeed { get; init; }

    public const string Usage = "usage: airlock-agent serve (--socket PATH | --serial PATH | --dial PATH) [--root DIR] [--ttl-seconds N] [--child-tasks N] [--memory-bytes N] [--cgroup-memory-bytes N] [--path-rule ro|rw|hidden:PATH]... [--rng-seed HEX] [--log FILE]\n"
        + "       " + BridgeOptions.Usage;

    /// <summary>Parses the command line; null (with <paramref name="error"/>) when it is not valid.</summary>
    public static AgentOptions? Parse(string[] args, out string? error)
    {
        error = null;
        if (args.Length == 0 || args[0] != "serve")
        {
            error = Usage;
            return null;
        }

        string? root = "/", log = null, endpoint = null;
        AgentTransport? transport = null;
        int? ttl = null;
        int? childTasks = null;
        long? memoryBytes = null;
        long? cgroupMemoryBytes = null;
        var pathRules = new List<Airlock.Policy.FileRule>();
        byte[]? randomSeed = null;
        for (int i = 1; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--socket" or "--serial" or "--dial" when value is not null && transport is null:
                    transport = args[i] switch { "--socket" => AgentTransport.Socket, "--serial" => AgentTransport.Serial, _ => AgentTransport.Dial };
                    endpoint = value;
                    break;
                case "--root" when value is not null:
                    root = value;
                    break;
                case "--log" when value is not null:
                    log = value;
                    break;
                case "--child-tasks" when int.TryParse(value, out int tasks) && tasks > 0:
                    childTasks = tasks;
                    break;
                case "--memory-bytes" when long.TryParse(value, out long bytes) && bytes >= 1L << 20:
                    memoryBytes = bytes;
                    break;
                case "--cgroup-memory-bytes" when long.TryParse(value, out long limit) && limit >= 1L << 20:
                    cgroupMemoryBytes = limit;
                    break;
                case "--path-rule" when Files.GuestPathRules.TryParse(value, out var rule):
                    pathRules.Add(rule!);
                    break;
                case "--rng-seed" when value is { Length: >= 32 and <= 512 } && value.Length % 2 == 0 && value.All(char.IsAsciiHexDigit):
                    randomSeed = Convert.FromHexString(value);
                    break;
                case "--ttl-seconds" when int.TryParse(value, out int seconds) && seconds > 0:
                    ttl = seconds;
                    break;
                default:
                    error = $"unexpected argument '{args[i]}'\n{Usage}";
                    return null;
            }

            i++;
        }

        if (transport is null || endpoint is null)
        {
            error = Usage;
            return null;
        }

        return new AgentOptions { Transport = transport.Value, Endpoint = endpoint, Root = Path.GetFullPath(root), TtlSeconds = ttl, LogPath = log, ChildTasks = childTasks, MemoryBytes = memoryBytes, CgroupMemoryBytes = cgroupMemoryBytes, PathRules = pathRules, RandomSeed = randomSeed };
    }
}
