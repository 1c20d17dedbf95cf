using Airlock.Access;
using Airlock.Audit;
using Airlock.Governance.AccessFailures;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Governance.Tests;

public sealed class AccessFailureTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Denials_AreCountedPerSandboxAndPerToken_AndAudited()
    {
        var audit = new RecordingAuditLog();
        var recorder = new AccessDenialRecorder(new AccessFailureTracker(), _clock, audit);

        await recorder.RecordAsync(403, "token:t1", "t1", "sb-a", "lacks the scope 'files:write'", "PUT /v1/sandboxes/sb-a/files");
        await recorder.RecordAsync(401, "token:t1", "t1", "sb-a", "token t1 expired", "GET /v1/sandboxes/sb-a/files");
        await recorder.RecordAsync(401, "anonymous", null, "sb-b", "missing bearer token", null);

        var failures = recorder.Failures;
        Assert.Equal(new AccessFailureCounts { Unauthorized = 1, Forbidden = 1, LastAt = _clock.GetUtcNow() }, failures.ForSandbox("sb-a"));
        Assert.Equal(2, failures.ForToken("t1").Total);
        Assert.Equal(1, failures.ForSandbox("sb-b").Unauthorized);
        Assert.Equal(3, failures.Total.Total);
        Assert.Equal(AccessFailureCounts.None, failures.ForSandbox("sb-c"));

        var denied = audit.Events[0];
        Assert.Equal(AuditKinds.AccessDenied, denied.Kind);
        Assert.Equal(AuditOutcomes.Denied, denied.Outcome);
        Assert.Equal("t1", denied.Details["tokenId"]);
        Assert.Equal("403", denied.Details["status"]);
        Assert.Contains("files:write", denied.Details["reason"], StringComparison.Ordinal);
        Assert.Equal("sb-a", denied.SandboxId);
    }

    [Fact]
    public async Task LoadHistory_RebuildsTheCountsFromTheAuditLog()
    {
        var audit = new RecordingAuditLog();
        var before = new AccessDenialRecorder(new AccessFailureTracker(), _clock, audit);
        await before.RecordAsync(403, "token:t1", "t1", "sb-a", "bound to sandbox sb-b", null);
        await before.RecordAsync(401, "token:t1", "t1", "sb-a", "revoked", null);

        var afterRestart = new AccessDenialRecorder(new AccessFailureTracker(), _clock, audit);
        await afterRestart.LoadHistoryAsync();
        Assert.Equal(1, afterRestart.Failures.ForSandbox("sb-a").Forbidden);
        Assert.Equal(1, afterRestart.Failures.ForToken("t1").Unauthorized);
    }

    [Fact]
    public void Tracker_StopsAddingKeysAtItsCap_ButKeepsCountingTheTotal()
    {
        var tracker = new AccessFailureTracker();
        for (var i = 0; i <= AccessFailureTracker.MaxKeys; i++)
        {
            tracker.Record(new AccessFailure { Status = 401, Actor = "anonymous", SandboxId = $"sb-{i}", Reason = "x", Time = _clock.GetUtcNow() });
        }

        Assert.Equal(AccessFailureTracker.MaxKeys + 1, tracker.Total.Total);
        Assert.Equal(AccessFailureCounts.None, tracker.ForSandbox($"sb-{AccessFailureTracker.MaxKeys}"));
        Assert.Equal(1, tracker.ForSandbox("sb-0").Unauthorized);
    }
}
