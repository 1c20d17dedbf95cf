namespace Airlock.RedTeam.Model;

/// <summary>What the host concluded about one attack.</summary>
internal enum Verdict
{
    /// <summary>The host's evidence shows the attack changed, read or held nothing outside the sandbox's bounds.</summary>
    Contained,

    /// <summary>The host's evidence shows the attack got past a defence.</summary>
    Escaped,

    /// <summary>The host could not gather the evidence it needs to judge (the attack did not run as intended).</summary>
    Inconclusive,

    /// <summary>The case cannot run on this host yet (a missing component), reported rather than hidden.</summary>
    NotRun,
}
