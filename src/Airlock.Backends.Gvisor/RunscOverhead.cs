namespace Airlock.Backends.Gvisor;

/// <summary>
/// What gVisor itself costs inside the sandbox's host cgroups, so that a user's limits mean the same as
/// in the container tier. Measured with Debian's runsc 0.0~20221219 on the ptrace platform:
/// <list type="bullet">
/// <item>An idle sandbox (agent waiting) holds ~60 host tasks: the gofer (~12 threads), the sentry
/// (~18 Go threads) and one ptrace stub process per guest address space, each with one thread per sentry
/// thread that ever ran it. A fork bomb held to 64 guest tasks grew to ~1,500 host tasks in 10 s, so the
/// host cost grows with the product (guest tasks x sentry threads), not with the guest count.</item>
/// <item>When the host pids cgroup refuses a thread to the sentry, the Go runtime aborts (<c>fatal error:
/// newosproc</c>) and the whole sandbox dies: the host pids limit must never be what stops a guest.</item>
/// <item>The sentry and gofer hold ~16-30 MiB of the memory cgroup before any user code runs.</item>
/// </list>
/// So the user's pids limit is enforced by the sentry itself (RLIMIT_NPROC: gVisor counts the tasks of
/// the uid across the sandbox, like the pids cgroup counts the tasks of a container), and the host pids
/// cgroup is only a backstop sized from the formula below, capped so that one sandbox cannot exhaust the
/// host's pid space. The memory cgroup gets <see cref="MemoryBytes"/> on top of the user's limit.
/// </summary>
internal static class RunscOverhead
{
    public const int DefaultHostTaskCeiling = 4096;

    /// <summary>Gofer, sentry base threads and the first stubs.</summary>
    private const int BaseTasks = 128;

    /// <summary>Address spaces beyond the guest's task count (exited ones whose stub is pooled).</summary>
    private const int StubSlack = 8;

    /// <summary>Sentry threads beyond one per guest task (Go runtime, gofer channels, timers).</summary>
    private const int SentryThreadSlack = 64;

    /// <summary>
    /// Granted above the user's memory limit: the sentry and gofer's own resident memory (~32 MiB) plus what
    /// a command can allocate between two polls of the agent's memory guard (~700 MB/s under ptrace, so a
    /// few MiB per 5 ms poll; 64 MiB leaves room for a slow poll on a loaded host).
    /// </summary>
    public const long MemoryBytes = 96L << 20;

    /// <summary>Host tasks allowed for a sandbox whose guest may run <paramref name="guestTasks"/> tasks: stubs x sentry threads, capped.</summary>
    public static int HostTaskBudget(int guestTasks, int ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(guestTasks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, BaseTasks);
        var budget = BaseTasks + ((long)guestTasks + StubSlack) * ((long)guestTasks + SentryThreadSlack);
        return (int)Math.Min(budget, ceiling);
    }
}
