namespace Airlock.RedTeam.Model;

/// <summary>One case's outcome on one tier, as the table and <c>--json</c> report it.</summary>
internal sealed record CaseResult
{
    public required string Tier { get; init; }

    public required string Category { get; init; }

    public required string Name { get; init; }

    public required Verdict Verdict { get; init; }

    public required string Evidence { get; init; }

    public required TimeSpan Duration { get; init; }
}
