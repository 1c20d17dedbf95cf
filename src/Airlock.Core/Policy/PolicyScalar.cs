namespace Airlock.Core.Policy;

/// <summary>A single value. Numbers, booleans and strings alike are kept as written; the schema decides what they mean.</summary>
internal sealed record PolicyScalar(PolicyPosition Start, string Value, bool IsNull) : PolicyNode(Start)
{
    public override string Description => "a value";
}
