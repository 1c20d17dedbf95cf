using System.Text;

namespace Airlock.Core.Engine;

public sealed partial class SandboxEngine
{
    /// <summary>
    /// Reads the posture from inside the sandbox with the same agent and privileges a user's command gets,
    /// so the report shows what is enforced, not what was asked for.
    /// </summary>
    public Task<SandboxPosture> InspectAsync(string id, CancellationToken cancellationToken = default) =>
        GuardedAsync(id, () => InspectRunningAsync(id, cancellationToken));

    private async Task<SandboxPosture> InspectRunningAsync(string id, CancellationToken cancellationToken)
    {
        var info = await RequireRunningAsync(id, cancellationToken);
        async Task<string> RunAsync(params string[] command)
        {
            var output = new StringBuilder();
            await foreach (var item in GuestFor(info).ExecAsync(new ExecRequest { Command = command, Timeout = TimeSpan.FromSeconds(10) }, cancellationToken))
            {
                if (item is ExecOutput { Stream: OutputStream.Stdout } chunk) output.Append(Encoding.UTF8.GetString(chunk.Data.Span));
            }

            return output.ToString();
        }

        Task<string> ReadAsync(string path) => RunAsync("cat", path);

        // The tightest limit on the command's own cgroup and its ancestors: a microVM guest puts commands in
        // /sandbox/commands below the limit; a container sees its own cgroup as "/".
        async Task<long?> V2LimitAsync(string cgroupPath, string file)
        {
            long? tightest = null;
            foreach (var directory in PostureParser.CgroupAncestors(cgroupPath))
            {
                if (PostureParser.Limit(await ReadAsync($"/sys/fs/cgroup{directory}/{file}")) is { } limit) tightest = Math.Min(tightest ?? long.MaxValue, limit);
            }

            return tightest;
        }

        var status = await ReadAsync("/proc/self/status");
        var v2 = (await ReadAsync("/sys/fs/cgroup/cgroup.controllers")).Length > 0;
        var cgroup = PostureParser.CgroupV2Path(await ReadAsync("/proc/self/cgroup"));
        var v1Memory = v2 ? "" : await ReadAsync("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        var memory = v2 ? await V2LimitAsync(cgroup, "memory.max") : PostureParser.Limit(v1Memory);
        var pids = v2 ? await V2LimitAsync(cgroup, "pids.max") : PostureParser.Limit(await ReadAsync("/sys/fs/cgroup/pids/pids.max"));
        if (!v2 && v1Memory.Length == 0)
        {
            // No cgroup files inside (gVisor): its kernel reports the memory limit as MemTotal, and the task
            // limit is the command's RLIMIT_NPROC (the user's limit plus the agent's threads of the moment).
            memory = PostureParser.MemTotalBytes(await ReadAsync("/proc/meminfo"));
            pids = PostureParser.Limit(await RunAsync("prlimit", "--nproc", "--output", "SOFT", "--noheadings"));
        }
        return new SandboxPosture
        {
            Id = info.Id,
            Isolation = info.Isolation,
            IsolationReason = info.IsolationReason,
            KernelInside = (await RunAsync("uname", "-r")).Trim(),
            KernelOnHost = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            UidMap = Squeeze(await ReadAsync("/proc/self/uid_map")),
            GidMap = Squeeze(await ReadAsync("/proc/self/gid_map")),
            SeccompMode = int.TryParse(PostureParser.StatusField(status, "Seccomp"), out var seccomp) ? seccomp : -1,
            NoNewPrivileges = PostureParser.StatusField(status, "NoNewPrivs") == "1",
            Capabilities = PostureParser.Capabilities(PostureParser.StatusField(status, "CapEff")),
            MemoryLimitBytes = memory,
            PidsLimit = pids,
            CpuLimit = v2
                ? PostureParser.Cpus(await ReadAsync("/sys/fs/cgroup/cpu.max"), null, null)
                : PostureParser.Cpus(null, await ReadAsync("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), await ReadAsync("/sys/fs/cgroup/cpu/cpu.cfs_period_us")),
            Network = PostureParser.Network(await ReadAsync("/proc/net/dev")),
        };
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
