using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Airlock.Access;
using Airlock.Audit;

namespace Airlock.Core.Approvals;

/// <summary>
/// Human approval gates: an action a policy sends to a person is stored as pending, its caller waits, and
/// whoever resolves it (this process or another on the same data directory) lets it run or fails it with the
/// person's reason. No answer within the timeout is a denial; a caller that stops waiting withdraws its request.
/// Every request and resolution is an audit record naming the requester and the approver.
/// </summary>
public sealed class ApprovalBroker : IApprovalOperations
{
    /// <summary>How often a waiter looks for an answer given by another process.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly ApprovalStore _store;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly Lock _watchersLock = new();
    private readonly List<Channel<ApprovalInfo>> _watchers = [];
    private readonly Dictionary<string, TaskCompletionSource> _waiters = [];

    public ApprovalBroker(string databasePath, IAuditLog? audit = null, TimeProvider? time = null)
    {
        _store = new ApprovalStore(databasePath);
        _audit = audit;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Used when a policy sets no <c>approval_timeout</c>.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests that run in this process and wait for a person.</summary>
    public int PendingInProcess
    {
        get
        {
            lock (_watchersLock) return _waiters.Count;
        }
    }

    /// <summary>
    /// Holds <paramref name="action"/> until it is approved, and returns; throws Forbidden with the approver's name
    /// and reason when denied, or when nobody answers within <paramref name="timeout"/>.
    /// </summary>
    public async Task<ApprovalInfo> RequireAsync(string sandboxId, string action, string rule, string reason, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        var approval = await RequestAsync(sandboxId, action, rule, reason, timeout, cancellationToken);
        var outcome = await WaitAsync(approval, cancellationToken);
        return outcome.State switch
        {
            ApprovalState.Approved => outcome,
            ApprovalState.Denied => throw AirlockException.Forbidden(
                $"denied by {outcome.ResolvedBy}: {outcome.ResolutionReason ?? "no reason given"} (approval {outcome.Id} for '{outcome.Action}', rule {outcome.Rule})"),
            _ => throw AirlockException.Forbidden(
                $"no approval for '{outcome.Action}' within {Units.FormatDuration(outcome.ExpiresAt - outcome.CreatedAt)}, so it was refused (approval {outcome.Id}, rule {outcome.Rule}); " +
                $"a person can answer with 'airlock approvals approve {outcome.Id}' while it waits"),
        };
    }

    /// <summary>Stores a pending approval and tells watchers; does not wait.</summary>
    public async Task<ApprovalInfo> RequestAsync(string sandboxId, string action, string rule, string reason, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var approval = new ApprovalInfo
        {
            Id = "ap_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            SandboxId = sandboxId,
            RequestedBy = CallerContext.Current.Actor,
            Action = action,
            Rule = rule,
            Reason = reason,
            State = ApprovalState.Pending,
            CreatedAt = now,
            ExpiresAt = now + (timeout ?? DefaultTimeout),
        };
        await _store.InsertAsync(approval, cancellationToken);
        await AuditAsync(AuditKinds.ApprovalRequested, AuditOutcomes.Pending, approval, approval.RequestedBy);
        Publish(approval);
        return approval;
    }

    /// <summary>Approves or denies a pending approval as <see cref="CallerContext.Current"/>.</summary>
    public async Task<ApprovalInfo> ResolveAsync(string id, bool approve, string? reason, CancellationToken cancellationToken = default)
    {
        var resolver = CallerContext.Current;
        var state = approve ? ApprovalState.Approved : ApprovalState.Denied;
        if (approve && resolver.TokenId is not null && await _store.GetAsync(id, cancellationToken) is { } asked && asked.RequestedBy == resolver.Actor)
        {
            // An agent must not approve what it asked for: that would make every approval rule optional.
            throw AirlockException.Forbidden($"{resolver.Actor} asked for approval {id} and so cannot approve it; a person (the admin token, or another token with '{Scopes.ApprovalsResolve}') must answer");
        }

        if (!await _store.ResolveAsync(id, state, resolver.Name, reason, _time.GetUtcNow(), cancellationToken))
        {
            var existing = await _store.GetAsync(id, cancellationToken)
                ?? throw AirlockException.NotFound($"no approval '{id}'; list pending ones with 'airlock approvals ls'");
            throw AirlockException.Conflict($"approval {id} is already {existing.State.ToString().ToLowerInvariant()}" +
                (existing.ResolvedBy is { } by ? $" (by {by})" : ""));
        }

        var resolved = (await _store.GetAsync(id, cancellationToken))!;
        await AuditAsync(AuditKinds.ApprovalResolved, approve ? AuditOutcomes.Ok : AuditOutcomes.Denied, resolved, resolver.Actor);
        Publish(resolved);
        Signal(id);
        return resolved;
    }

    public async Task<ApprovalInfo> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await _store.GetAsync(id, cancellationToken) ?? throw AirlockException.NotFound($"no approval '{id}'");

    /// <summary>Pending approvals (oldest first), or the latest 500 of any state.</summary>
    public Task<IReadOnlyList<ApprovalInfo>> ListAsync(bool pendingOnly = true, CancellationToken cancellationToken = default) =>
        _store.ListAsync(pendingOnly, cancellationToken);

    /// <summary>The pending approvals now, then every new request and resolution made through this broker, until cancelled.</summary>
    public async IAsyncEnumerable<ApprovalInfo> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<ApprovalInfo>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_watchersLock) _watchers.Add(channel);
        try
        {
            foreach (var pending in await _store.ListAsync(pendingOnly: true, cancellationToken)) yield return pending;
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken)) yield return change;
        }
        finally
        {
            lock (_watchersLock) _watchers.Remove(channel);
        }
    }

    private async Task<ApprovalInfo> WaitAsync(ApprovalInfo approval, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_watchersLock) _waiters[approval.Id] = signal;
        try
        {
            while (true)
            {
                var current = await _store.GetAsync(approval.Id, CancellationToken.None) ?? approval;
                if (current.State != ApprovalState.Pending) return current;
                var left = current.ExpiresAt - _time.GetUtcNow();
                if (left <= TimeSpan.Zero) return await ExpireAsync(current, "timeout", "nobody answered in time");
                var delay = left < PollInterval ? left : PollInterval;
                try
                {
                    await Task.WhenAny(signal.Task, Task.Delay(delay, _time, cancellationToken));
                    cancellationToken.ThrowIfCancellationRequested();
                }
                catch (OperationCanceledException)
                {
                    // Nobody is waiting any more: withdraw, so that a late "approve" cannot release an action no one runs.
                    await ExpireAsync(current, current.RequestedBy, "the caller stopped waiting");
                    throw;
                }
            }
        }
        finally
        {
            lock (_watchersLock) _waiters.Remove(approval.Id);
        }
    }

    private async Task<ApprovalInfo> ExpireAsync(ApprovalInfo approval, string by, string reason)
    {
        if (await _store.ResolveAsync(approval.Id, ApprovalState.Expired, by, reason, _time.GetUtcNow(), CancellationToken.None))
        {
            var expired = (await _store.GetAsync(approval.Id, CancellationToken.None))!;
            await AuditAsync(AuditKinds.ApprovalResolved, AuditOutcomes.Denied, expired, Caller.System.Actor);
            Publish(expired);
            return expired;
        }

        return (await _store.GetAsync(approval.Id, CancellationToken.None))!;
    }

    private void Signal(string id)
    {
        lock (_watchersLock)
        {
            if (_waiters.TryGetValue(id, out var waiter)) waiter.TrySetResult();
        }
    }

    private void Publish(ApprovalInfo approval)
    {
        lock (_watchersLock)
        {
            foreach (var watcher in _watchers) watcher.Writer.TryWrite(approval);
        }
    }

    private async Task AuditAsync(string kind, string outcome, ApprovalInfo approval, string actor)
    {
        if (_audit is null) return;
        var details = new Dictionary<string, string>
        {
            ["approval"] = approval.Id,
            ["action"] = approval.Action,
            ["rule"] = approval.Rule,
            ["state"] = approval.State.ToString().ToLowerInvariant(),
            ["requested_by"] = approval.RequestedBy,
        };
        if (approval.ResolvedBy is { } by) details["resolved_by"] = by;
        if (approval.ResolutionReason is { } why) details["resolution_reason"] = why;
        await _audit.AppendAsync(new AuditEvent { Kind = kind, Actor = actor, Outcome = outcome, SandboxId = approval.SandboxId, Details = details }, CancellationToken.None);
    }
}
