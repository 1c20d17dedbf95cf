using System.Net;
using Airlock.Audit;

namespace Airlock.Egress;

/// <summary>
/// The egress gateway: a DNS server that answers only allowed names, an explicit HTTP proxy and a transparent TCP
/// listener that admit only allowed destinations, with secret substitution, an exfiltration scan and per-sandbox
/// bandwidth. Each sandbox is a tenant, told apart by its source address.
/// </summary>
public sealed class EgressGateway : IAsyncDisposable
{
    private readonly EgressGatewayOptions _options;

    public EgressGateway(EgressGatewayOptions options, IAuditLog? audit = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _ = audit;
        _ = time;
    }

    public IPEndPoint ProxyEndPoint => throw new NotImplementedException();

    public IPEndPoint TransparentEndPoint => throw new NotImplementedException();

    public IPEndPoint DnsEndPoint => throw new NotImplementedException();

    public Task StartAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public IDisposable Attach(EgressTenant tenant) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
