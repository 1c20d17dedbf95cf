using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Resources;

/// <summary>
/// Running past the time given: a command past its --timeout (with a marked child that ignores SIGTERM), and
/// a sandbox past its TTL. The host checks the engine ended them and that no marked process is left on the host.
/// </summary>
internal sealed class WallClockAttacks(bool ttl) : IAttackCase
{
    public string Category => Categories.Resources;

    public string Name => ttl ? "ttl-overrun" : "timeout-overrun";

    public string Attempts => ttl
        ? "a sandbox with a 6 s TTL keeps a marked background process busy; host: the sandbox is destroyed within the reaper's reach, no marked host process remains"
        : "a command that traps SIGTERM and sleeps an hour under a 3 s timeout, with a detached marked child; host: the call ends with a timeout, no marked host process remains";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var marker = "airlock-rt-" + context.Nonce;
        if (!ttl)
        {
            var sandbox = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
            var run = await context.ShellAsync(sandbox.Id, $"trap '' TERM; (trap '' TERM; exec sh -c 'sleep 3600' {marker}) & sleep 3600", TimeSpan.FromSeconds(3), cancellationToken);
            await Task.Delay(1000, cancellationToken);
            var left = HostProcesses.WithInCommandLine(marker);
            var findings = new List<string>();
            if (run.Result?.KilledBy != ExecResult.Limits.Timeout) findings.Add($"the command was not ended by its timeout: {run.Describe()}");
            if (run.Duration > TimeSpan.FromSeconds(60)) findings.Add($"the call lasted {run.Duration.TotalSeconds:0}s for a 3 s timeout");
            findings.AddRange(left.Select(p => $"host pid {p} of the timed-out command is still running"));
            return Judgement.From(findings, $"ended by the timeout ({run.Describe()}); no marked host process left");
        }

        var created = await context.Sandboxes.CreateAsync(new SandboxSpec
        {
            Isolation = context.Tier,
            Ttl = TimeSpan.FromSeconds(6),
            Limits = new ResourceLimits { MemoryBytes = 128L << 20, Pids = 32 },
            Labels = new Dictionary<string, string> { ["airlock.redteam"] = context.Nonce },
        }, cancellationToken: cancellationToken);
        try
        {
            await context.Sandboxes.StartProcessAsync(created.Id, new ExecRequest { Command = ["sh", "-c", "while :; do sleep 1; done", marker] }, cancellationToken);
        }
        catch (AirlockException)
        {
            // Expired already on a slow tier: the checks below still apply.
        }

        var cgroups = new SandboxCgroups(created.Id);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        string state = "running";
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                var info = await context.Sandboxes.GetAsync(created.Id, cancellationToken);
                state = info.State.ToString();
                if (info.State != SandboxState.Running && info.State != SandboxState.Paused && cgroups.Directories().Count == 0) break;
            }
            catch (AirlockException)
            {
                state = "gone";
                if (cgroups.Directories().Count == 0) break;
            }

            await Task.Delay(1000, cancellationToken);
        }

        var findings2 = new List<string>();
        if (state is "Running" or "Paused" or "running") findings2.Add($"the sandbox is still {state} 90 s after its 6 s TTL");
        findings2.AddRange(cgroups.Directories().Select(d => $"its cgroup {d} is still on the host"));
        findings2.AddRange(HostProcesses.WithInCommandLine(marker).Select(p => $"host pid {p} of the expired sandbox is still running"));
        try
        {
            await context.Sandboxes.DeleteAsync(created.Id, cancellationToken);
        }
        catch (AirlockException)
        {
        }

        return Judgement.From(findings2, $"after the TTL the sandbox is {state}, its cgroups are gone, no marked host process left");
    }
}
