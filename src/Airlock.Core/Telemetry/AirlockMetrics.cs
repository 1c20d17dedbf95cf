using System.Diagnostics.Metrics;

namespace Airlock.Core.Telemetry;

/// <summary>
/// Airlock's instruments, all on one <see cref="Meter"/> named <see cref="MeterName"/>. The daemon exports
/// them at <c>GET /metrics</c> (Prometheus text, admin token required); as Prometheus names them:
/// <c>airlock_sandboxes</c> (gauge: tier, state), <c>airlock_exec_duration_seconds</c> (histogram: tier, outcome),
/// <c>airlock_denials_total</c> (counter: kind), <c>airlock_approvals_pending</c> (gauge),
/// <c>airlock_audit_append_duration_seconds</c> (histogram), <c>airlock_failed_accesses_total</c> (counter: kind).
/// </summary>
/// <remarks>
/// Created through <see cref="IMeterFactory"/> so that each daemon (and each test server in one process)
/// counts only its own measurements. Tag values are folded to a short lowercase word, or <c>other</c>:
/// a caller that passes a path or an id by mistake must not blow up the number of series.
/// </remarks>
public sealed class AirlockMetrics
{
    public const string MeterName = "Airlock";

    private static readonly double[] ExecBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
    private static readonly double[] AuditBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly Histogram<double> _execDuration;
    private readonly Counter<long> _denials;
    private readonly Histogram<double> _auditAppendDuration;
    private readonly Counter<long> _failedAccesses;
    private readonly SandboxGauge _sandboxes = new();
    private Func<long>? _pendingApprovals;

    public AirlockMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _execDuration = meter.CreateHistogram("airlock.exec.duration", unit: "s",
            description: "Wall time of a command run in a sandbox, from the request to its exit",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ExecBuckets });
        _denials = meter.CreateCounter<long>("airlock.denials", unit: "{denial}",
            description: "Requests refused by policy, token scope, auth, egress rules or an approver, by kind");
        _auditAppendDuration = meter.CreateHistogram("airlock.audit.append.duration", unit: "s",
            description: "Time to append one record to the audit log",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AuditBuckets });
        _failedAccesses = meter.CreateCounter<long>("airlock.failed_accesses", unit: "{request}",
            description: "Requests that failed authentication (no token, a wrong or an expired one), by kind");
        meter.CreateObservableGauge("airlock.sandboxes", _sandboxes.Observe, unit: "{sandbox}",
            description: "Sandboxes by isolation tier and state");
        meter.CreateObservableGauge("airlock.approvals.pending", ObservePendingApprovals, unit: "{approval}",
            description: "Approval requests waiting for a person");
    }

    /// <summary>One finished command: how long it took end to end, in which tier, and how it exited (0 is <c>ok</c>, anything else <c>error</c>).</summary>
    public void RecordExec(string tier, TimeSpan duration, int exitCode) =>
        _execDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("tier", MetricTag.Fold(tier)),
            new KeyValuePair<string, object?>("outcome", exitCode == 0 ? "ok" : "error"));

    /// <summary>One refused request; <paramref name="kind"/> is one of <see cref="DenialKinds"/>.</summary>
    public void RecordDenial(string kind) => _denials.Add(1, new KeyValuePair<string, object?>("kind", MetricTag.Fold(kind)));

    /// <summary>One audit record appended (hash chain included) in <paramref name="duration"/>.</summary>
    public void RecordAuditAppend(TimeSpan duration) => _auditAppendDuration.Record(duration.TotalSeconds);

    /// <summary>One request that failed authentication; <paramref name="kind"/> is one of <see cref="FailedAccessKinds"/>.</summary>
    public void RecordFailedAccess(string kind) => _failedAccesses.Add(1, new KeyValuePair<string, object?>("kind", MetricTag.Fold(kind)));

    /// <summary>
    /// Feeds <c>airlock_sandboxes</c>: called at each scrape, it returns the current count per tier and state.
    /// Replaces an earlier callback. Until one is given, the gauge reports nothing.
    /// </summary>
    public void ObserveSandboxes(Func<IEnumerable<SandboxCount>> counts) => _sandboxes.Source = counts;

    /// <summary>Feeds <c>airlock_approvals_pending</c>: called at each scrape. Until one is given, the gauge reports nothing.</summary>
    public void ObservePendingApprovals(Func<long> count) => Volatile.Write(ref _pendingApprovals, count);

    private IEnumerable<Measurement<long>> ObservePendingApprovals() =>
        Volatile.Read(ref _pendingApprovals) is { } count ? [new Measurement<long>(count())] : [];
}
