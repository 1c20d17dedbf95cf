namespace Airlock.Policy;

/// <summary>One entry of the <c>anomalies</c> section: when a counter crosses a threshold, act.</summary>
public sealed record AnomalyRule
{
    public required AnomalyCondition When { get; init; }

    public required AnomalyAction Then { get; init; }
}
