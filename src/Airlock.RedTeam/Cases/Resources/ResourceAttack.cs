using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Resources;

/// <summary>
/// A resource attack: a fresh sandbox with tight limits, a script that tries to exhaust something, the host's
/// cgroup counters and vitals sampled while it runs, and a judge over those samples. Afterwards the daemon must
/// still answer its health route (the attack did not starve the process that holds the engine).
/// </summary>
internal sealed class ResourceAttack : IAttackCase
{
    public required string Name { get; init; }

    public required string Attempts { get; init; }

    public required string Script { get; init; }

    public bool Python { get; init; }

    public ResourceLimits Limits { get; init; } = new() { MemoryBytes = 256L << 20, Pids = 64, Cpus = 1, DiskBytes = 128L << 20 };

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Findings and evidence from the samples (and the attack's exit, for how it ended).</summary>
    public required Func<ResourceEvidence, (IReadOnlyList<string> Findings, string Evidence)> Judge { get; init; }

    public string Category => Categories.Resources;

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateSandboxAsync(Limits, cancellationToken: cancellationToken);
        var cgroups = new SandboxCgroups(sandbox.Id);
        AttackRun run;
        ResourceEvidence evidence;
        await using (var watch = new ResourceWatch(cgroups, context.Environment.EngineProcessId))
        {
            run = Python
                ? await context.PythonAsync(sandbox.Id, Script, Timeout, cancellationToken)
                : await context.ShellAsync(sandbox.Id, Script, Timeout, cancellationToken);
            evidence = new ResourceEvidence(context, sandbox, watch, run, await DiskUsageAsync(context, sandbox.Id, cancellationToken));
        }

        var (findings, words) = Judge(evidence);
        var all = findings.ToList();
        var health = await DaemonHealth.ProbeAsync(context.Environment.Admin, cancellationToken);
        if (health is null) all.Add("the daemon stopped answering /v1/health within 5 s");
        if (all.Count > 0) return Judgement.Escaped(string.Join("; ", all));
        if (run.Result is null)
        {
            // The exec never reported an exit. If the host sees no process of the sandbox left, the attack ended its
            // own sandbox (on gVisor's ptrace platform a fork bomb meets the host task cap and the sentry exits):
            // the host-side limits held, which is the question; the sandbox's death is said in the evidence.
            if (await SettledEmptyAsync(cgroups, cancellationToken))
            {
                return Judgement.Contained($"{words}; the attack ended its own sandbox (no process of it left on the host): {run.Describe()}; daemon answered in {health!.Value.TotalMilliseconds:0} ms");
            }

            return Judgement.Inconclusive($"the attack did not end: {run.Describe()}; {words}");
        }

        return Judgement.Contained($"{words}; attack {run.Describe()}; daemon answered in {health!.Value.TotalMilliseconds:0} ms");
    }

    /// <summary>No process left in the sandbox's cgroups within 5 s (processes killed a moment ago take time to leave).</summary>
    private static async Task<bool> SettledEmptyAsync(SandboxCgroups cgroups, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 50; i++)
        {
            if (cgroups.Processes().Count == 0) return true;
            await Task.Delay(100, cancellationToken);
        }

        return false;
    }

    private static async Task<long?> DiskUsageAsync(CaseContext context, string id, CancellationToken cancellationToken)
    {
        var directory = context.Environment.Paths.SandboxDirectory(id);
        return Directory.Exists(directory) ? await HostVitals.DiskUsageAsync(directory, cancellationToken) : null;
    }
}
