namespace Airlock.Policy;

/// <summary>
/// A parsed <c>when</c>: a counter of events over an optional sliding window (<c>egress_denied &gt; 20 in 1m</c>), or a
/// gauge of resource use held for a while (<c>cpu_percent &gt;= 95 for 5m</c>).
/// </summary>
public sealed record AnomalyCondition
{
    /// <summary>The condition as written.</summary>
    public required string Text { get; init; }

    public required string Counter { get; init; }

    /// <summary>One of <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>==</c>.</summary>
    public required string Operator { get; init; }

    public required double Threshold { get; init; }

    /// <summary>Count only events this recent; null counts since the sandbox started.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>For a gauge: how long every sample must meet the condition before the rule fires; null fires on one sample.</summary>
    public TimeSpan? Sustained { get; init; }

    /// <summary>Whether a counter's value (within the window) meets the condition.</summary>
    public bool IsMetBy(double value) => Operator switch
    {
        ">" => value > Threshold,
        ">=" => value >= Threshold,
        "<" => value < Threshold,
        "<=" => value <= Threshold,
        "==" => value == Threshold,
        _ => false,
    };
}
