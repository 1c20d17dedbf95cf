using Airlock.Policy;

namespace Airlock.Egress;

/// <summary>A tenant while attached: its buckets, its quota spent so far and the token that closes its connections.</summary>
internal sealed class TenantState : IDisposable
{
    private readonly CancellationTokenSource _detached = new();
    private long _bytes;

    public TenantState(EgressTenant tenant, TimeProvider time)
    {
        Tenant = tenant;
        if (tenant.RateBitsPerSecond is { } rate)
        {
            Up = new TokenBucket(rate, time);
            Down = new TokenBucket(rate, time);
        }

        Dns = new DnsTunnelDetector(time);
    }

    public EgressTenant Tenant { get; }

    public string SandboxId => Tenant.SandboxId;

    /// <summary>Sandbox -> world; null when unlimited.</summary>
    public TokenBucket? Up { get; }

    /// <summary>World -> sandbox; null when unlimited.</summary>
    public TokenBucket? Down { get; }

    public DnsTunnelDetector Dns { get; }

    public CancellationToken Detached => _detached.Token;

    public bool QuotaSpent => Tenant.QuotaBytes is { } quota && Interlocked.Read(ref _bytes) >= quota;

    /// <summary>Adds transferred bytes; false once the quota is exceeded (the caller closes the connection).</summary>
    public bool Spend(int bytes)
    {
        var total = Interlocked.Add(ref _bytes, bytes);
        return Tenant.QuotaBytes is not { } quota || total <= quota;
    }

    /// <summary>
    /// Whether TLS to <paramref name="host"/> is terminated and its requests inspected: always when the tenant has an
    /// interception CA (so canaries and placeholders are caught inside HTTPS too), and for a host that carries a secret
    /// in any case (without a CA such a host is then refused, never tunnelled with the placeholder unswapped).
    /// </summary>
    public bool Inspects(string host) =>
        Tenant.Interception is not null || Tenant.Secrets.Any(s => s.Hosts.Any(h => EgressMatch.NamesHost(h, host)));

    public void Dispose()
    {
        _detached.Cancel();
        _detached.Dispose();
    }
}
