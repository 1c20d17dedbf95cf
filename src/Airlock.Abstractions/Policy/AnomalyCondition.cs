namespace Airlock.Policy;

/// <summary>
/// A parsed <c>when</c> such as <c>egress_denied &gt; 20 in 1m</c>: a counter, a comparison, a threshold and
/// an optional sliding window. Counter names are checked for shape only; the engine knows which it counts.
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
