namespace Airlock.Policy;

/// <summary>The <c>network</c> section: egress is denied, including DNS, except to what is listed.</summary>
public sealed record NetworkPolicy
{
    public IReadOnlyList<EgressTarget> Allow { get; init; } = [];
}
