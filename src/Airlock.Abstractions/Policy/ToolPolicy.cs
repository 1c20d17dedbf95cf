namespace Airlock.Policy;

/// <summary>
/// The <c>tools</c> section: glob-like patterns over what an agent asks the sandbox to do
/// (<c>git push *</c>, <c>network:new-host</c>, <c>files:delete:/workspace/**</c>). Deny wins over approval.
/// </summary>
public sealed record ToolPolicy
{
    /// <summary>Refused outright.</summary>
    public IReadOnlyList<string> Deny { get; init; } = [];

    /// <summary>Held until a person approves, or refused after the approval timeout.</summary>
    public IReadOnlyList<string> Approval { get; init; } = [];
}
