namespace Airlock;

/// <summary>
/// One intended action of a plan, to be judged before anything runs. Exactly one field is set:
/// <see cref="Exec"/> (argv), <see cref="Read"/>/<see cref="Write"/>/<see cref="Delete"/> (a path in the sandbox),
/// or <see cref="Network"/> (<c>host</c> or <c>host:port</c>).
/// </summary>
public sealed record PlanStep
{
    public IReadOnlyList<string>? Exec { get; init; }

    public string? Read { get; init; }

    public string? Write { get; init; }

    public string? Delete { get; init; }

    public string? Network { get; init; }
}

/// <summary>The policy's verdict on one <see cref="PlanStep"/>.</summary>
public sealed record PlanStepDecision
{
    /// <summary>0-based index of the step in the plan.</summary>
    public required int Step { get; init; }

    /// <summary>The step as a person reads it: <c>exec git push origin</c>.</summary>
    public required string Action { get; init; }

    /// <summary><c>allow</c>, <c>deny</c> or <c>needs-approval</c>.</summary>
    public required string Decision { get; init; }

    /// <summary>The rule that decided; null when none matched and the action is allowed by default.</summary>
    public string? Rule { get; init; }

    public required string Reason { get; init; }
}
