using System.Collections.Concurrent;
using System.Net;

namespace Airlock.Egress;

/// <summary>Attached tenants by source address: the only thing that says whose a connection or a DNS query is.</summary>
internal sealed class TenantTable
{
    private readonly ConcurrentDictionary<IPAddress, TenantState> _bySource = new();

    public TenantState? Find(IPAddress source) =>
        _bySource.TryGetValue(Normalize(source), out var state) ? state : null;

    public IDisposable Attach(EgressTenant tenant, TimeProvider time)
    {
        var key = Normalize(tenant.SourceAddress);
        var state = new TenantState(tenant, time);
        if (!_bySource.TryAdd(key, state))
        {
            state.Dispose();
            throw new InvalidOperationException(
                $"source address {key} is already attached to sandbox '{Find(key)?.SandboxId}'; detach it first (two sandboxes must never share an address)");
        }

        return new Detacher(this, key, state);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class Detacher(TenantTable table, IPAddress key, TenantState state) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            table._bySource.TryRemove(new KeyValuePair<IPAddress, TenantState>(key, state));
            state.Dispose();
        }
    }
}
