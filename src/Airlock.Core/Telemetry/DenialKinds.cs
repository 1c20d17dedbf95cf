namespace Airlock.Core.Telemetry;

/// <summary>The <c>kind</c> tag of <c>airlock_denials_total</c>: what refused a caller who was known.</summary>
public static class DenialKinds
{
    /// <summary>The sandbox's policy (tools.deny, files rules, isolation floor).</summary>
    public const string Policy = "policy";

    /// <summary>The token lacks the scope, or is bound to another sandbox.</summary>
    public const string Scope = "scope";

    /// <summary>An authenticated caller refused by an auth rule other than scope.</summary>
    public const string Auth = "auth";

    /// <summary>The egress gateway refused a destination.</summary>
    public const string Egress = "egress";

    /// <summary>A person rejected an approval request, or it timed out.</summary>
    public const string Approval = "approval";
}
