using System.Net;
using System.Net.Sockets;

namespace Airlock.Egress;

/// <summary>What every connection and DNS query of one gateway shares.</summary>
internal sealed class EgressGatewayContext(EgressGatewayOptions options, AuditSink audit, TimeProvider time)
{
    public EgressGatewayOptions Options { get; } = options;

    public AuditSink Audit { get; } = audit;

    public TimeProvider Time { get; } = time;

    public TenantTable Tenants { get; } = new();

    public HostResolver Resolver { get; } = new(options, time);

    public UpstreamTls UpstreamTls { get; } = new(options.UpstreamTrust);

    /// <summary>SO_ORIGINAL_DST in production; tests set what nftables would have said.</summary>
    public Func<Socket, IPEndPoint?> OriginalDestination { get; set; } = Egress.OriginalDestination.Read;
}
