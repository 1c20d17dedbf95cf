namespace Airlock.Egress;

/// <summary>A connection or request the gateway refuses; <see cref="Rule"/> is what the audit record names as the deciding rule.</summary>
internal sealed class EgressRefusedException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}
