namespace Airlock.Core.Policy;

/// <summary>A 1-based line and column in a policy document, for messages a person can jump to.</summary>
internal readonly record struct PolicyPosition(int Line, int Column) : IComparable<PolicyPosition>
{
    public int CompareTo(PolicyPosition other) => Line != other.Line ? Line.CompareTo(other.Line) : Column.CompareTo(other.Column);

    public override string ToString() => $"{Line}:{Column}";
}
