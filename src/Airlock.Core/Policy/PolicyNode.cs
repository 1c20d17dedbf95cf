namespace Airlock.Core.Policy;

/// <summary>
/// A node of a policy document with where it starts. Airlock's own small tree rather than YamlDotNet's
/// representation model, which throws at the first duplicate key, expands aliases and recurses without a depth limit.
/// </summary>
internal abstract record PolicyNode(PolicyPosition Start)
{
    /// <summary>"a value", "a list" or "a mapping", for messages.</summary>
    public abstract string Description { get; }
}
