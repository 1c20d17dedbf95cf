namespace Airlock.Policy;

/// <summary>How an <see cref="EgressTarget"/> matches a destination.</summary>
public enum EgressTargetKind
{
    /// <summary>Exactly this host name (<c>pypi.org</c>).</summary>
    Domain,

    /// <summary>Any name below the suffix, at any depth, but not the suffix itself (<c>*.pythonhosted.org</c>).</summary>
    DomainSuffix,

    /// <summary>An address or CIDR range (<c>203.0.113.0/24</c>), matched on the connection's address.</summary>
    Network,
}
