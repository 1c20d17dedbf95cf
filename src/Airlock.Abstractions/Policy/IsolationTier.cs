namespace Airlock.Policy;

/// <summary>Isolation tiers, weakest first, so that <c>tier &gt;= minimum</c> says whether a tier is strong enough.</summary>
public enum IsolationTier
{
    /// <summary>runc: namespaces, seccomp and cgroups on the host kernel.</summary>
    Container,

    /// <summary>runsc: a user-space kernel between the sandbox and the host's.</summary>
    Gvisor,

    /// <summary>A virtual machine with its own kernel.</summary>
    MicroVm,
}
