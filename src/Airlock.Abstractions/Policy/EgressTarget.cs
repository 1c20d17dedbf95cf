using System.Net;

namespace Airlock.Policy;

/// <summary>One destination a sandbox may reach, parsed from a <c>network.allow</c> entry or a secret's host.</summary>
public sealed record EgressTarget
{
    /// <summary>The entry as written, for messages and audit records.</summary>
    public required string Pattern { get; init; }

    public required EgressTargetKind Kind { get; init; }

    /// <summary>
    /// Lower-case host name for <see cref="EgressTargetKind.Domain"/>; for <see cref="EgressTargetKind.DomainSuffix"/>
    /// the part after <c>*.</c>. Null for networks.
    /// </summary>
    public string? Host { get; init; }

    /// <summary>The only port allowed; null allows any port. Only host names carry a port.</summary>
    public int? Port { get; init; }

    /// <summary>The address range for <see cref="EgressTargetKind.Network"/>; a bare address is a /32 or /128.</summary>
    public IPNetwork? Network { get; init; }
}
