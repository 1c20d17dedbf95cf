using System.Globalization;
using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>
/// The sandbox's memory and task limits where the agent is the guest kernel's init (the microVM tier): the VM
/// has some RAM beyond the user's limit for its own kernel, and root in a VM holds every capability, so
/// neither the VM's size nor RLIMIT_NPROC would hold the user to their limits. The guest's own cgroup v2 does:
/// <code>
/// /sys/fs/cgroup/sandbox            memory.max = the user's limit, no swap (agent and commands, as in the container tier)
///   agent/                          the agent; oom_score_adj -1000, so the guest's OOM killer takes a command
///   commands/                       every command, moved in as it starts; pids.max = the user's limit
/// </code>
/// </summary>
internal static class GuestCgroups
{
    private const string Root = "/sys/fs/cgroup";
    private const string Sandbox = Root + "/sandbox";
    private const string Commands = Sandbox + "/commands";
    private const ulong NoExec = 8;

    /// <summary>Builds the tree and moves the agent into it; throws when the guest kernel cannot, so the sandbox never runs unlimited.</summary>
    public static void Setup(long memoryBytes, int? tasks, AgentLog log)
    {
        if (!File.Exists(Path.Combine(Root, "cgroup.controllers")))
        {
            int rc = HostMountCalls.Mount("cgroup2", Root, "cgroup2", HostMountCalls.NoSuid | HostMountCalls.NoDev | NoExec, null);
            if (rc != 0) throw new IOException($"cannot mount cgroup2 on {Root}: {Errno.Message(rc)}");
        }

        File.WriteAllText(Path.Combine(Root, "cgroup.subtree_control"), "+memory +pids");
        Directory.CreateDirectory(Sandbox);
        File.WriteAllText(Path.Combine(Sandbox, "memory.max"), memoryBytes.ToString(CultureInfo.InvariantCulture));
        WriteIfPresent(Path.Combine(Sandbox, "memory.swap.max"), "0");
        File.WriteAllText(Path.Combine(Sandbox, "cgroup.subtree_control"), "+memory +pids");
        Directory.CreateDirectory(Path.Combine(Sandbox, "agent"));
        Directory.CreateDirectory(Commands);
        File.WriteAllText(Path.Combine(Commands, "pids.max"), tasks is { } n ? n.ToString(CultureInfo.InvariantCulture) : "max");
        File.WriteAllText(Path.Combine(Sandbox, "agent", "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText("/proc/self/oom_score_adj", "-1000");
        // A container on a big host can map far more than its limit and is OOM-killed when it touches it; a small
        // VM's heuristic overcommit would refuse the mapping instead (MemoryError, not exit 137). Same rule everywhere.
        File.WriteAllText("/proc/sys/vm/overcommit_memory", "1");
        log.Write($"guest cgroup: memory {memoryBytes >> 20} MiB, command tasks {tasks?.ToString(CultureInfo.InvariantCulture) ?? "max"}");
    }

    /// <summary>
    /// Moves a just-started command into commands/: the spawn does not use CLONE_INTO_CGROUP, so this follows the
    /// exec by microseconds; the memory limit holds meanwhile (the agent's cgroup shares it).
    /// </summary>
    public static void Adopt(int pid)
    {
        try
        {
            File.WriteAllText(Path.Combine(Commands, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            // The command already exited.
        }
    }

    /// <summary>
    /// The processes the guest kernel has OOM-killed since it booted (<c>/proc/vmstat oom_kill</c>), for its cgroup's limit
    /// or for the VM's RAM alike; 0 when unreadable. It only grows, so a command that died of SIGKILL while it grew was
    /// killed for memory (as the host tiers judge from their cgroup's count); a kill of another command at the same
    /// moment can be misnamed so, as there.
    /// </summary>
    public static long OomKills()
    {
        try
        {
            return ParseOomKills(File.ReadAllText("/proc/vmstat"));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    internal static long ParseOomKills(string vmstat)
    {
        foreach (var line in vmstat.Split('\n'))
        {
            if (line.StartsWith("oom_kill ", StringComparison.Ordinal)
                && long.TryParse(line.AsSpan(9).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return count;
            }
        }

        return 0;
    }

    private static void WriteIfPresent(string path, string value)
    {
        if (File.Exists(path)) File.WriteAllText(path, value);
    }
}
