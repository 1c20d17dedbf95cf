using System.Collections.Concurrent;
using Airlock.Access;

namespace Airlock.Governance.AccessFailures;

/// <summary>
/// In-memory counts of refused requests. Keys come from requests (a route's sandbox id), so an unauthenticated
/// client could invent ids without end: past <see cref="MaxKeys"/> per map, new keys are counted only in the total.
/// </summary>
public sealed class AccessFailureTracker : IAccessFailures
{
    public const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<string, AccessFailureCounts> _bySandbox = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccessFailureCounts> _byToken = new(StringComparer.Ordinal);
    private readonly object _totalGate = new();
    private AccessFailureCounts _total = AccessFailureCounts.None;

    public AccessFailureCounts Total
    {
        get
        {
            lock (_totalGate) return _total;
        }
    }

    public void Record(AccessFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        lock (_totalGate) _total = Add(_total, failure);
        if (failure.SandboxId is { } sandbox) Count(_bySandbox, sandbox, failure);
        if (failure.TokenId is { } token) Count(_byToken, token, failure);
    }

    public AccessFailureCounts ForSandbox(string sandboxId) => _bySandbox.GetValueOrDefault(sandboxId, AccessFailureCounts.None);

    public AccessFailureCounts ForToken(string tokenId) => _byToken.GetValueOrDefault(tokenId, AccessFailureCounts.None);

    private static void Count(ConcurrentDictionary<string, AccessFailureCounts> map, string key, AccessFailure failure)
    {
        if (!map.ContainsKey(key) && map.Count >= MaxKeys) return;
        map.AddOrUpdate(key, _ => Add(AccessFailureCounts.None, failure), (_, counts) => Add(counts, failure));
    }

    private static AccessFailureCounts Add(AccessFailureCounts counts, AccessFailure failure) => counts with
    {
        Unauthorized = counts.Unauthorized + (failure.Status == 401 ? 1 : 0),
        Forbidden = counts.Forbidden + (failure.Status == 401 ? 0 : 1),
        LastAt = counts.LastAt is { } last && last > failure.Time ? last : failure.Time,
    };
}
