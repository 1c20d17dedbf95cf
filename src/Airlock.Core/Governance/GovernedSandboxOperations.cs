using System.Runtime.CompilerServices;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Core.Approvals;
using Airlock.Core.Engine;
using Airlock.Core.Policy.Decisions;

namespace Airlock.Core.Governance;

/// <summary>
/// The policy and audit stage of the pipeline, in front of the engine: every operation is judged against the
/// sandbox's policy (deny, or hold for a person's approval), then run, then recorded in the audit trail with
/// its caller (<see cref="CallerContext"/>). The daemon and the embedded CLI both go through it, so there is no
/// path to a sandbox that skips policy or audit.
/// </summary>
public sealed partial class GovernedSandboxOperations(SandboxEngine engine, ApprovalBroker approvals, IAuditLog? audit, TimeProvider? time = null) : ISandboxOperations
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ExecRateGate _execRate = new(engine.Options.Paths.Database);

    public SandboxEngine Engine => engine;

    public ApprovalBroker Approvals => approvals;

    /// <summary>Judges each step of a plan without running anything.</summary>
    public async Task<IReadOnlyList<PolicyDecision>> VetPlanAsync(string id, IReadOnlyList<PolicyAction> steps, CancellationToken cancellationToken = default)
    {
        var policy = await engine.GetPolicyAsync(id, cancellationToken) ?? new Airlock.Policy.SandboxPolicy();
        var decisions = steps.Select(step => PolicyDecider.Decide(policy, step)).ToList();
        await AuditAsync(AuditKinds.PolicyDecision, AuditOutcomes.Ok, id, new()
        {
            ["plan"] = string.Join("; ", steps.Zip(decisions, (s, d) => $"{s.Describe()} -> {d.VerdictName}")),
        });
        return decisions;
    }

    public async Task<SandboxInfo> CreateAsync(SandboxSpec spec, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var info = await engine.CreateAsync(spec, progress, cancellationToken);
            await AuditAsync(AuditKinds.SandboxCreated, AuditOutcomes.Ok, info.Id, new()
            {
                ["image"] = info.Image,
                ["isolation"] = info.Isolation,
                ["isolation_reason"] = info.IsolationReason ?? "",
                ["policy"] = info.Policy ?? "",
                ["cpus"] = info.Limits.Cpus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                ["memory"] = info.Limits.MemoryBytes is { } m ? Units.FormatSize(m) : "",
                ["pids"] = info.Limits.Pids?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                ["disk"] = info.Limits.DiskBytes is { } d ? Units.FormatSize(d) : "",
            });
            return info;
        }
        catch (AirlockException e)
        {
            await AuditAsync(AuditKinds.SandboxCreated, e.IsClientError ? AuditOutcomes.Denied : AuditOutcomes.Failed, null, new()
            {
                ["image"] = spec.Image,
                ["isolation"] = spec.Isolation,
                ["error"] = e.Message,
            });
            throw;
        }
    }

    public Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default) =>
        engine.ListAsync(labels, cancellationToken);

    public Task<SandboxInfo> GetAsync(string id, CancellationToken cancellationToken = default) => engine.GetAsync(id, cancellationToken);

    /// <summary>The engine's isolation facts, plus the policy and what the audit trail counted against the sandbox.</summary>
    public async Task<SandboxPosture> InspectAsync(string id, CancellationToken cancellationToken = default)
    {
        var posture = await engine.InspectAsync(id, cancellationToken);
        var info = await engine.GetAsync(id, cancellationToken);
        posture = posture with { Policy = info.Policy };
        if (audit is null) return posture;
        var denied = await audit.QueryAsync(new AuditQuery { SandboxId = id, Outcome = AuditOutcomes.Denied, Limit = 10_000, Newest = true }, cancellationToken);
        return posture with
        {
            FailedAccess = denied.Count(r => r.Event.Kind == AuditKinds.AccessDenied),
            PolicyDenials = denied.Count(r => r.Event.Kind is AuditKinds.PolicyDecision or AuditKinds.ApprovalResolved),
        };
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await engine.DeleteAsync(id, cancellationToken);
        await _execRate.ForgetAsync(id, CancellationToken.None);
        await AuditAsync(AuditKinds.SandboxDestroyed, AuditOutcomes.Ok, id, []);
    }

    public async Task<SandboxInfo> PauseAsync(string id, CancellationToken cancellationToken = default)
    {
        var info = await engine.PauseAsync(id, cancellationToken);
        await AuditAsync(AuditKinds.SandboxPaused, AuditOutcomes.Ok, id, []);
        return info;
    }

    public async Task<SandboxInfo> ResumeAsync(string id, CancellationToken cancellationToken = default)
    {
        var info = await engine.ResumeAsync(id, cancellationToken);
        await AuditAsync(AuditKinds.SandboxResumed, AuditOutcomes.Ok, id, []);
        return info;
    }

    public async IAsyncEnumerable<ExecEvent> ExecStreamAsync(string id, ExecRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(id, new ExecAction(request.Command), cancellationToken);
        var started = _time.GetTimestamp();
        var audited = false;
        try
        {
            await foreach (var item in engine.ExecStreamAsync(id, request, cancellationToken))
            {
                if (item is ExecExited exited)
                {
                    // Recorded before the exit reaches the caller: an exec the caller saw finish is in the trail even
                    // if the daemon dies right after (the fault-injection harness kills it there).
                    await AuditAsync(AuditKinds.Exec, AuditOutcomes.Ok, id, ExecDetails(request.Command, exited.Result, _time.GetElapsedTime(started)));
                    audited = true;
                }

                yield return item;
            }
        }
        finally
        {
            if (!audited) await AuditAsync(AuditKinds.Exec, AuditOutcomes.Failed, id, ExecDetails(request.Command, null, _time.GetElapsedTime(started)));
        }
    }

    public async Task<ProcessInfo> StartProcessAsync(string id, ExecRequest request, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(id, new ExecAction(request.Command), cancellationToken);
        var process = await engine.StartProcessAsync(id, request, cancellationToken);
        var details = ExecDetails(request.Command, null, TimeSpan.Zero);
        details["background_pid"] = process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AuditAsync(AuditKinds.Exec, AuditOutcomes.Ok, id, details);
        return process;
    }

    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string id, CancellationToken cancellationToken = default) => engine.ListProcessesAsync(id, cancellationToken);

    public Task<ProcessOutput> GetProcessOutputAsync(string id, int pid, CancellationToken cancellationToken = default) => engine.GetProcessOutputAsync(id, pid, cancellationToken);

    public Task SignalProcessAsync(string id, int pid, int signal, CancellationToken cancellationToken = default) => engine.SignalProcessAsync(id, pid, signal, cancellationToken);

    /// <summary>Denies (Forbidden, audited) or holds for approval, per the sandbox's policy; returns when the action may run.</summary>
    private async Task AuthorizeAsync(string id, PolicyAction action, CancellationToken cancellationToken)
    {
        var policy = await engine.GetPolicyAsync(id, cancellationToken);
        if (policy is null) return;
        if (action is ExecAction && policy.Limits.ExecRate is { } rate && await _execRate.TryStartAsync(id, rate, _time.GetUtcNow(), cancellationToken) is { } wait)
        {
            await AuditAsync(AuditKinds.PolicyDecision, AuditOutcomes.Denied, id, new()
            {
                ["action"] = action.Describe(),
                ["rule"] = $"limits.exec_rate: {rate}",
                ["reason"] = "rate limit",
            });
            throw new AirlockException(AirlockErrorKind.RateLimited,
                $"refused by the sandbox's policy (limits.exec_rate: {rate}): too many commands; the next fits in {Math.Ceiling(wait.TotalSeconds)}s");
        }

        var decision = PolicyDecider.Decide(policy, action);
        if (decision.Verdict == PolicyVerdict.Allow) return;

        // The files section is enforced by the sandbox's own mounts, which answer a files API write with EROFS
        // like any write from inside; the decision function names the rule for plans.
        if (action is FileAction && decision.Rule?.StartsWith("files:", StringComparison.Ordinal) == true) return;
        if (decision.Verdict == PolicyVerdict.Deny)
        {
            await AuditAsync(AuditKinds.PolicyDecision, AuditOutcomes.Denied, id, new()
            {
                ["action"] = action.Describe(),
                ["rule"] = decision.Rule ?? "",
                ["reason"] = decision.Reason,
            });
            throw AirlockException.Forbidden($"refused by the sandbox's policy ({decision.Rule}): {decision.Reason}");
        }

        await approvals.RequireAsync(id, action.Describe(), decision.Rule ?? "", decision.Reason, policy.ApprovalTimeout, cancellationToken);
    }

    private static Dictionary<string, string> ExecDetails(IReadOnlyList<string> argv, ExecResult? result, TimeSpan duration)
    {
        var details = new Dictionary<string, string>
        {
            ["argv"] = System.Text.Json.JsonSerializer.Serialize(argv, GovernanceJson.Default.IReadOnlyListString),
            ["duration_ms"] = ((long)duration.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (result is not null)
        {
            details["exit_code"] = result.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (result.KilledBy is { } limit) details["killed_by"] = limit;
        }

        return details;
    }

    private async Task AuditAsync(string kind, string outcome, string? sandboxId, Dictionary<string, string> details)
    {
        if (audit is null) return;
        await audit.AppendAsync(new AuditEvent { Kind = kind, Actor = CallerContext.Current.Actor, Outcome = outcome, SandboxId = sandboxId, Details = details }, CancellationToken.None);
    }
}
