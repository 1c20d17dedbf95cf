namespace Airlock.Core.Policy;

internal sealed record PolicySequence(PolicyPosition Start, IReadOnlyList<PolicyNode> Items) : PolicyNode(Start)
{
    public override string Description => "a list";
}
