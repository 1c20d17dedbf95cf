namespace Airlock.Core.Policy.Decisions;

/// <summary>A verdict and the rule that decided it (null when no rule matched and the default applied).</summary>
public sealed record PolicyDecision(PolicyVerdict Verdict, string? Rule, string Reason)
{
    public static PolicyDecision AllowedByDefault { get; } = new(PolicyVerdict.Allow, null, "no rule matches");

    /// <summary><c>allow</c>, <c>deny</c> or <c>needs-approval</c>, as the API and audit records spell it.</summary>
    public string VerdictName => Verdict switch
    {
        PolicyVerdict.Allow => "allow",
        PolicyVerdict.Deny => "deny",
        _ => "needs-approval",
    };
}
