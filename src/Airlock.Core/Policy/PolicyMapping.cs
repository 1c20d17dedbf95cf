namespace Airlock.Core.Policy;

/// <summary>Keys and values in the order written; keys are unique (the reader reports and drops duplicates).</summary>
internal sealed record PolicyMapping(PolicyPosition Start, IReadOnlyList<KeyValuePair<PolicyScalar, PolicyNode>> Entries) : PolicyNode(Start)
{
    public override string Description => "a mapping";
}
