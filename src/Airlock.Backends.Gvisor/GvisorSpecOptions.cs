using Airlock.Oci;

namespace Airlock.Backends.Gvisor;

/// <summary>The spec changes gVisor needs on top of the container tier's options.</summary>
internal static class GvisorSpecOptions
{
    /// <summary>
    /// Tasks are limited inside the sentry with RLIMIT_NPROC (gVisor counts every task of the uid in the
    /// sandbox, threads included, as the pids cgroup does): the agent gets <paramref name="guestTasks"/> (the
    /// user's limit plus its own reserve) and lowers each command's to the user's limit plus its threads of
    /// the moment. The host pids cgroup gets the much larger <paramref name="hostTasks"/> backstop because
    /// runsc's own threads and ptrace stubs live there too (see <see cref="RunscOverhead"/>).
    /// </summary>
    public static SpecOption WithGuestTaskLimit(int guestTasks, int hostTasks) => spec =>
        SpecOptions.WithRlimit("RLIMIT_NPROC", (ulong)guestTasks, (ulong)guestTasks)(SpecOptions.WithPids(hostTasks)(spec));

    /// <summary>
    /// runsc ignores linux.seccomp unless run with --oci-seccomp, and this runsc (2022-12) applies it
    /// without errnoRet, so the profile's clone3 -> ENOSYS would become EPERM and break glibc's threads.
    /// The boundary is the sentry's own seccomp filter on the host (~70 syscalls); leaving the profile out
    /// keeps config.json honest about what is enforced.
    /// </summary>
    public static SpecOption WithoutSeccomp() => spec => spec with { Linux = spec.Linux with { Seccomp = null } };
}
