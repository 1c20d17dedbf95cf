using System.Collections.Concurrent;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>What the daemon told the client it had done (201, 204, an exec's exit line, a write's 200): all must survive a kill -9.</summary>
internal sealed class Acknowledged
{
    public ConcurrentDictionary<string, bool> Created { get; } = new();

    public ConcurrentDictionary<string, bool> Deleted { get; } = new();

    /// <summary>
    /// Deletes sent whose answer has not arrived (yet): one the kill cut off may have finished or not, so either
    /// outcome is right for it. Cleared at each check, once the outcome is known.
    /// </summary>
    public ConcurrentDictionary<string, bool> DeleteSent { get; } = new();

    /// <summary>Exec nonces (an argument of the command) by sandbox: each finished exec must have its audit record.</summary>
    public ConcurrentBag<(string Sandbox, string Nonce)> Execs { get; } = [];

    /// <summary>The last acknowledged write per sandbox: path and content, which must read back after the restart.</summary>
    public ConcurrentDictionary<string, (string Path, byte[] Content)> Writes { get; } = new();

    public ConcurrentBag<(string Sandbox, string Path)> WriteRecords { get; } = [];

    /// <summary>Audit records the client has read back (sequence -> hash): none may vanish or change.</summary>
    public ConcurrentDictionary<long, string> AuditSeen { get; } = new();

    public IReadOnlySet<string> Live => Created.Keys.Where(id => !Deleted.ContainsKey(id)).ToHashSet(StringComparer.Ordinal);
}
