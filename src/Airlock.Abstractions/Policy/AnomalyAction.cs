namespace Airlock.Policy;

/// <summary>What happens to a sandbox when an anomaly rule fires.</summary>
public enum AnomalyAction
{
    /// <summary>Freeze it so that a person can look before anything else happens.</summary>
    Pause,

    Kill,

    /// <summary>Record and notify only.</summary>
    Alert,

    /// <summary>Revoke every scoped token bound to the sandbox, so that the agent holding one is cut off.</summary>
    Revoke,
}
