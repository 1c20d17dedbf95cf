using Airlock.Audit;
using Airlock.Audit.Sqlite;
using Airlock.Core.Anomalies;
using Airlock.Core.Policy;
using Airlock.Policy;

namespace Airlock.Integration.Tests;

/// <summary>The monitor's rule logic for gauges over a real audit log, with samples at chosen times (no sandbox needed).</summary>
public sealed class GaugeRuleTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDataDir _data = new();
    private readonly List<AnomalyAction> _responses = [];
    private SqliteAuditLog _audit = null!;
    private AnomalyMonitor _monitor = null!;

    public Task InitializeAsync()
    {
        _audit = new SqliteAuditLog(new SqliteAuditLogOptions { DatabasePath = Path.Combine(_data.Path, "audit.db"), SigningKeyPath = Path.Combine(_data.Path, "audit.key") });
        var policy = PolicyLoader.Load("anomalies: [ { when: \"cpu_percent >= 90 for 30s\", then: pause } ]", "policy");
        _monitor = new AnomalyMonitor(_audit, (_, _) => Task.FromResult<SandboxPolicy?>(policy), new RecordingResponder(_responses));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _monitor.DisposeAsync();
        await _audit.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task AGaugeRule_FiresOnceTheConditionHeldForItsDuration_AndADipStartsTheWaitAgain()
    {
        await SampleAsync(0, 95);
        await SampleAsync(20, 95);
        await SampleAsync(25, 40); // a dip: the 30 s start again
        await SampleAsync(30, 99);
        await SampleAsync(55, 99);
        Assert.Empty(_responses);

        await SampleAsync(60, 97);
        Assert.Equal([AnomalyAction.Pause], _responses);
        await SampleAsync(65, 97); // still pinned: no second alert within the minute
        Assert.Single(_responses);

        var alert = Assert.Single(await _audit.QueryAsync(new AuditQuery { Kind = AuditKinds.Anomaly }));
        Assert.Equal("sb-1", alert.Event.SandboxId);
        Assert.Equal("97", alert.Event.Details["value"]);
        Assert.Equal("cpu_percent >= 90 for 30s -> pause", alert.Event.Details["rule"]);
    }

    [Fact]
    public async Task TheDefaults_AlertOnMemoryAtTheLimitForAMinute_WhenThePolicyHasNoGaugeRule()
    {
        await using var monitor = new AnomalyMonitor(_audit, (_, _) => Task.FromResult<SandboxPolicy?>(null), new RecordingResponder(_responses));
        foreach (var second in new[] { 0, 30, 60 })
        {
            await monitor.ObserveAsync(new GaugeSample("sb-2", T0.AddSeconds(second), new Dictionary<string, double> { [AnomalyGauges.MemoryPercent] = 98 }), CancellationToken.None);
        }

        Assert.Equal([AnomalyAction.Alert], _responses);
        var alert = Assert.Single(await _audit.QueryAsync(new AuditQuery { Kind = AuditKinds.Anomaly }));
        Assert.Equal("memory_percent >= 95 for 1m -> alert", alert.Event.Details["rule"]);
    }

    private Task SampleAsync(int second, double cpu) =>
        _monitor.ObserveAsync(new GaugeSample("sb-1", T0.AddSeconds(second), new Dictionary<string, double> { [AnomalyGauges.CpuPercent] = cpu }), CancellationToken.None);

    private sealed class RecordingResponder(List<AnomalyAction> responses) : IAnomalyResponder
    {
        public Task RespondAsync(string sandboxId, AnomalyAction action, CancellationToken cancellationToken = default)
        {
            responses.Add(action);
            return Task.CompletedTask;
        }
    }
}
