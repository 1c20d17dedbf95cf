using System.Diagnostics;
using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Resources;

/// <summary>
/// CPU burn: eight busy loops under --cpus 0.5 for 12 s, while a neighbour sandbox (--cpus 1) runs one busy loop.
/// The host reads both cgroups' CPU time: the attacker's rate must stay within its quota, and the neighbour must
/// have received CPU (its share was not taken). Rates are reported, not timed against a target.
/// </summary>
internal sealed class CpuBurnAttack : IAttackCase
{
    public string Category => Categories.Resources;

    public string Name => "cpu-burn-neighbour";

    public string Attempts => "8 busy loops for 12 s under --cpus 0.5 beside a neighbour sandbox with one loop; host: the attacker's cgroup CPU rate stays within its quota, the neighbour's cgroup gets CPU";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var neighbour = await context.CreateSandboxAsync(new ResourceLimits { Cpus = 1, MemoryBytes = 128L << 20, Pids = 32 }, cancellationToken: cancellationToken);
        var attacker = await context.CreateSandboxAsync(new ResourceLimits { Cpus = 0.5, MemoryBytes = 128L << 20, Pids = 32 }, cancellationToken: cancellationToken);
        var a = new SandboxCgroups(attacker.Id);
        var n = new SandboxCgroups(neighbour.Id);
        var quota = a.CpuQuota();
        var neighbourRun = context.ShellAsync(neighbour.Id, "timeout 12 sh -c 'while :; do :; done'; echo done", TimeSpan.FromSeconds(20), cancellationToken);
        var attackRun = context.ShellAsync(attacker.Id, "for i in 1 2 3 4 5 6 7 8; do timeout 12 sh -c 'while :; do :; done' & done; wait; echo done", TimeSpan.FromSeconds(20), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var (a0, n0, clock) = (a.CpuNanos(), n.CpuNanos(), Stopwatch.StartNew());
        await Task.Delay(TimeSpan.FromSeconds(8), cancellationToken);
        var (a1, n1, wall) = (a.CpuNanos(), n.CpuNanos(), clock.Elapsed.TotalSeconds);
        var run = await attackRun;
        await neighbourRun;
        if (a0 is null || a1 is null || n0 is null || n1 is null) return Judgement.Inconclusive("the sandboxes' cpu accounting cgroups were not found on the host");
        var attackerRate = (a1 - a0).Value / 1e9 / wall;
        var neighbourRate = (n1 - n0).Value / 1e9 / wall;
        var findings = new List<string>();
        if (quota is null or > 0.5 * 1.01) findings.Add($"the attacker's cgroup CPU quota is {quota?.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) ?? "none"} for --cpus 0.5");
        // The kernel's CFS bandwidth control lets a period overrun a little; a rate well past the quota means it is not applied.
        if (attackerRate > 0.5 * 1.3 + 0.05) findings.Add($"the attacker used {attackerRate:0.00} CPUs for --cpus 0.5");
        if (neighbourRate <= 0.01) findings.Add($"the neighbour got {neighbourRate:0.00} CPUs while the attacker burned");
        return Judgement.From(findings, $"attacker cgroup {attackerRate:0.00} CPUs (quota {quota:0.##}), neighbour cgroup {neighbourRate:0.00} CPUs over {wall:0.0}s; attack {run.Describe()}");
    }
}
