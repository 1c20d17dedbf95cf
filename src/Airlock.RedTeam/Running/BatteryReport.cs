using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Running;

/// <summary>Every case's result, and the daemon's latency idle and under attack.</summary>
internal sealed record BatteryReport
{
    public required IReadOnlyList<CaseResult> Cases { get; init; }

    public required LatencyStats Idle { get; init; }

    public required LatencyStats UnderAttack { get; init; }

    public int Count(Verdict verdict) => Cases.Count(c => c.Verdict == verdict);
}
