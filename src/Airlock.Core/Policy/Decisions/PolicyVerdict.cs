namespace Airlock.Core.Policy.Decisions;

/// <summary>What the policy says about an action.</summary>
public enum PolicyVerdict
{
    Allow,
    Deny,

    /// <summary>Held until a person approves it, refused when they deny it or nobody answers in time.</summary>
    NeedsApproval,
}
