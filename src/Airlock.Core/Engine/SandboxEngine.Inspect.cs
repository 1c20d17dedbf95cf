using System.Text;

namespace Airlock.Core.Engine;

public sealed partial class SandboxEngine
{
    /// <summary>
    /// Reads the posture from inside the sandbox with the same agent and privileges a user's command gets,
    /// so the report shows what is enforced, not what was asked for.
    /// </summary>
    public async Task<SandboxPosture> InspectAsync(string id, CancellationToken cancellationToken = default)
    {
        var info = await RequireRunningAsync(id, cancellationToken);
        async Task<string> ReadAsync(string path)
        {
            var output = new StringBuilder();
            await foreach (var item in GuestFor(info).ExecAsync(new ExecRequest { Command = ["cat", path], Timeout = TimeSpan.FromSeconds(10) }, cancellationToken))
            {
                if (item is ExecOutput { Stream: OutputStream.Stdout } chunk) output.Append(Encoding.UTF8.GetString(chunk.Data.Span));
            }

            return output.ToString();
        }

        var status = await ReadAsync("/proc/self/status");
        var v2 = (await ReadAsync("/sys/fs/cgroup/cgroup.controllers")).Length > 0;
        return new SandboxPosture
        {
            Id = info.Id,
            Isolation = info.Isolation,
            IsolationReason = info.IsolationReason,
            KernelInside = (await ReadAsync("/proc/sys/kernel/osrelease")).Trim(),
            KernelOnHost = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            UidMap = Squeeze(await ReadAsync("/proc/self/uid_map")),
            GidMap = Squeeze(await ReadAsync("/proc/self/gid_map")),
            SeccompMode = int.TryParse(PostureParser.StatusField(status, "Seccomp"), out var seccomp) ? seccomp : -1,
            NoNewPrivileges = PostureParser.StatusField(status, "NoNewPrivs") == "1",
            Capabilities = PostureParser.Capabilities(PostureParser.StatusField(status, "CapEff")),
            MemoryLimitBytes = PostureParser.Limit(await ReadAsync(v2 ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes")),
            PidsLimit = PostureParser.Limit(await ReadAsync(v2 ? "/sys/fs/cgroup/pids.max" : "/sys/fs/cgroup/pids/pids.max")),
            CpuLimit = v2
                ? PostureParser.Cpus(await ReadAsync("/sys/fs/cgroup/cpu.max"), null, null)
                : PostureParser.Cpus(null, await ReadAsync("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), await ReadAsync("/sys/fs/cgroup/cpu/cpu.cfs_period_us")),
            Network = PostureParser.Network(await ReadAsync("/proc/net/dev")),
        };
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
