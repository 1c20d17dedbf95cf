using Airlock.RedTeam.Host;
using Airlock.RedTeam.Host.Checks;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// Writes to /proc and /sys files that would act on the host kernel (the classic container breakouts through
/// core_pattern, release_agent, sysrq-trigger). The host reads its own copies before and after; any change is
/// written back at once and reported as an escape.
/// </summary>
internal static class KernelKnobAttacks
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return Knob("core-pattern", "write a pipe handler into /proc/sys/kernel/core_pattern (and remount /proc/sys read-write first)",
            c => $"mount -o remount,rw /proc/sys 2>&1; echo '|/tmp/airlock-rt-{c.Nonce}' > /proc/sys/kernel/core_pattern; cat /proc/sys/kernel/core_pattern",
            () => [new HostFileUnchanged("/proc/sys/kernel/core_pattern")]);
        yield return Knob("sysrq-trigger", "write 'h' (help: harmless if it lands) to /proc/sysrq-trigger; host: its kernel log gains no sysrq line",
            _ => "echo h > /proc/sysrq-trigger; echo 1 > /proc/sys/kernel/sysrq; echo h > /proc/sysrq-trigger",
            () => [new KernelLogQuiet(_ => "sysrq: HELP"), new HostFileUnchanged("/proc/sys/kernel/sysrq")]);
        yield return Knob("release-agent", "mount cgroup v1 hierarchies and set release_agent/notify_on_release; host: every release_agent of its own hierarchies unchanged",
            c => $"for t in memory pids rdma cpu; do mkdir -p /tmp/cg-$t; mount -t cgroup -o $t cgroup /tmp/cg-$t 2>&1; echo /tmp/airlock-rt-{c.Nonce} > /tmp/cg-$t/release_agent; done; for f in /sys/fs/cgroup/*/release_agent; do echo /tmp/airlock-rt-{c.Nonce} > $f; done; echo done",
            () => [.. ReleaseAgents().Select(p => (IHostCheck)new HostFileUnchanged(p))]);
        yield return Knob("sysctl-writes", "write host-wide sysctls (vm.overcommit_memory, kernel.panic, fs.suid_dumpable, net.core.somaxconn)",
            _ => "for k in vm/overcommit_memory:2 kernel/panic:7 fs/suid_dumpable:2 kernel/randomize_va_space:0; do echo ${k#*:} > /proc/sys/${k%%:*} && echo wrote $k; done; echo done",
            () => [new HostFileUnchanged("/proc/sys/vm/overcommit_memory"), new HostFileUnchanged("/proc/sys/kernel/panic"), new HostFileUnchanged("/proc/sys/fs/suid_dumpable"), new HostFileUnchanged("/proc/sys/kernel/randomize_va_space")]);
    }

    private static IEnumerable<string> ReleaseAgents() =>
        Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup").Select(d => Path.Combine(d, "release_agent")).Where(File.Exists) : [];

    private static ScriptAttack Knob(string name, string attempts, Func<CaseContext, string> script, Func<IReadOnlyList<IHostCheck>> checks) => new()
    {
        Category = Categories.Filesystem,
        Name = name,
        Attempts = attempts,
        Script = script,
        Checks = checks,
    };
}
