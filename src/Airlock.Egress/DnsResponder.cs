using System.Globalization;
using System.Net;
using Airlock.Audit;
using Airlock.Policy;

namespace Airlock.Egress;

/// <summary>
/// Decides one DNS query: the name must be one a name rule of the asking sandbox's <c>network.allow</c> covers (any
/// port); then it is answered from the gateway's own resolution. Everything else is REFUSED, audited, and counted
/// towards the tunnelling alert.
/// </summary>
internal sealed class DnsResponder(EgressGatewayContext context)
{
    public async Task<byte[]> AnswerAsync(byte[] query, IPAddress source, string transport, CancellationToken cancellationToken)
    {
        if (!DnsMessage.TryReadQuestion(query, out var question)) return DnsMessage.Error(query, DnsMessage.FormatError);
        var tenant = context.Tenants.Find(source);
        if (tenant is null)
        {
            Audit(null, question, transport, AuditOutcomes.Denied, "unknown-source", source);
            return DnsMessage.Reply(query, question, DnsMessage.Refused, []);
        }

        var rule = IPAddress.TryParse(question.Name, out _)
            ? null
            : EgressMatch.First(tenant.Tenant.Network.Allow.Where(t => t.Kind != EgressTargetKind.Network), question.Name, null);
        if (rule is null)
        {
            Audit(tenant, question, transport, AuditOutcomes.Denied, "not in network.allow", source);
            if (tenant.Dns.Observe(question.Name) is { } distinct) AlertTunnel(tenant, question.Name, distinct);
            return DnsMessage.Reply(query, question, DnsMessage.Refused, []);
        }

        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = await context.Resolver.ResolveAsync(question.Name, cancellationToken);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or IOException)
        {
            Audit(tenant, question, transport, AuditOutcomes.Failed, rule.Pattern, source);
            return DnsMessage.Reply(query, question, DnsMessage.ServerFailure, []);
        }

        // Types other than A/AAAA for an allowed name get an empty NOERROR answer: the gateway resolves addresses only.
        Audit(tenant, question, transport, AuditOutcomes.Ok, rule.Pattern, source, addresses);
        return DnsMessage.Reply(query, question, DnsMessage.NoError, addresses);
    }

    private void Audit(TenantState? tenant, DnsQuestion question, string transport, string outcome, string rule, IPAddress source,
        IReadOnlyList<IPAddress>? answers = null)
    {
        var details = new Dictionary<string, string>
        {
            ["via"] = "dns",
            ["transport"] = transport,
            ["source"] = source.ToString(),
            ["host"] = question.Name,
            ["qtype"] = question.Type.ToString(CultureInfo.InvariantCulture),
            ["rule"] = rule,
            ["decision"] = outcome == AuditOutcomes.Ok ? "allowed" : "denied",
        };
        if (answers is not null) details["answers"] = string.Join(',', answers);
        context.Audit.Write(new AuditEvent
        {
            Kind = AuditKinds.NetworkDecision,
            Actor = AuditSink.Actor,
            Outcome = outcome,
            SandboxId = tenant?.SandboxId,
            Details = details,
        });
    }

    private void AlertTunnel(TenantState tenant, string name, int distinct)
    {
        var domain = DnsTunnelDetector.BaseDomain(name);
        context.Audit.Write(new AuditEvent
        {
            Kind = AuditKinds.Anomaly,
            Actor = AuditSink.Actor,
            Outcome = AuditOutcomes.Alert,
            SandboxId = tenant.SandboxId,
            Details = new Dictionary<string, string>
            {
                ["reason"] = "dns_tunnel",
                ["domain"] = domain,
                ["distinct_names"] = distinct.ToString(CultureInfo.InvariantCulture),
                ["rule"] = $"{DnsTunnelDetector.Threshold} distinct denied names under {domain} within {DnsTunnelDetector.Window.TotalSeconds:0}s",
            },
        });
    }
}
