using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Airlock.Audit;

namespace Airlock.Egress;

/// <summary>
/// One connection from a sandbox, from accept to close: decide, connect upstream to an address the gateway chose,
/// then tunnel or inspect. Writes one audit record when it ends, with the deciding rule, bytes and duration.
/// </summary>
internal sealed partial class EgressConnection : IDisposable
{
    private readonly EgressGatewayContext _gateway;
    private readonly Socket _client;
    private readonly string _via;
    private readonly IPAddress _source;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<string> _substituted = [];
    private TenantState? _tenant;
    private TenantStream? _metered;
    private PeekStream? _peek;
    private Socket? _upstream;
    private Stream? _upstreamStream;
    private string? _host;
    private IPAddress? _address;
    private int _port;
    private string _rule = "none";

    /// <summary>Where a refusal can still be answered in HTTP (a 403 the client shows), or null (close silently).</summary>
    private Stream? _respondTo;

    public EgressConnection(EgressGatewayContext gateway, Socket client, string via)
    {
        _gateway = gateway;
        _client = client;
        _via = via;
        _source = ((IPEndPoint)client.RemoteEndPoint!).Address;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        _tenant = _gateway.Tenants.Find(_source);
        if (_tenant is null)
        {
            _client.Dispose();
            Audit(AuditOutcomes.Denied, null, "unknown-source", $"no sandbox is attached with source address {_source}");
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _tenant.Detached);
        var cancellationToken = linked.Token;
        // Detaching the tenant or stopping the gateway closes the sockets, which ends any pending read or write.
        using var closer = cancellationToken.Register(Close);
        _metered = new TenantStream(new NetworkStream(_client, ownsSocket: true), _tenant);
        _peek = new PeekStream(_metered);
        try
        {
            if (_tenant.QuotaSpent)
            {
                // Read the request (if it is one) before refusing: closing on unread bytes resets the connection, and the
                // client would see a reset instead of the 403 that says why.
                _metered.Exempt = true;
                if (_via == "proxy")
                {
                    _respondTo = _peek;
                    await _peek.ReadHeadAsync(cancellationToken);
                }

                throw new EgressRefusedException("quota", "the sandbox's egress quota (QuotaBytes) is spent");
            }

            if (_via == "transparent") await TransparentAsync(cancellationToken);
            else await ProxyAsync(cancellationToken);
            Audit(AuditOutcomes.Ok, _tenant.SandboxId, _rule, null);
        }
        catch (EgressScanException e)
        {
            await RefuseAsync(e.Message);
            AuditScan(e);
        }
        catch (EgressRefusedException e)
        {
            await RefuseAsync(e.Message);
            Audit(AuditOutcomes.Denied, _tenant.SandboxId, e.Rule, e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                                       or System.Security.Authentication.AuthenticationException)
        {
            // The connection ended abnormally after it was allowed (peer reset, detach, TLS failure): still one record.
            Audit(AuditOutcomes.Ok, _tenant.SandboxId, _rule, e.Message);
        }
        finally
        {
            Close();
        }
    }

    public void Dispose() => Close();

    private void Close()
    {
        _peek?.Dispose();
        _client.Dispose();
        _upstreamStream?.Dispose();
        _upstream?.Dispose();
    }

    private async Task RefuseAsync(string message)
    {
        if (_respondTo is null) return;
        try
        {
            var body = $"Airlock egress gateway refused this request: {message}\n";
            var response = $"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _respondTo.WriteAsync(Encoding.UTF8.GetBytes(response), timeout.Token);
            await _respondTo.FlushAsync(timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EgressRefusedException)
        {
            // The client went away before hearing why; the audit record still says.
        }
    }

    private void Audit(string outcome, string? sandboxId, string rule, string? reason, Dictionary<string, string>? extra = null)
    {
        var details = new Dictionary<string, string>
        {
            ["via"] = _via,
            ["source"] = _source.ToString(),
            ["rule"] = rule,
            ["decision"] = outcome == AuditOutcomes.Ok ? "allowed" : "denied",
            ["bytes_up"] = (_metered?.BytesUp ?? 0).ToString(CultureInfo.InvariantCulture),
            ["bytes_down"] = (_metered?.BytesDown ?? 0).ToString(CultureInfo.InvariantCulture),
            ["duration_ms"] = Stopwatch.GetElapsedTime(_started).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture),
        };
        if (_host is not null) details["host"] = _host;
        if (_address is not null) details["address"] = _address.ToString();
        if (_port != 0) details["port"] = _port.ToString(CultureInfo.InvariantCulture);
        if (_substituted.Count > 0) details["secrets"] = string.Join(',', _substituted.Distinct());
        if (reason is not null) details["reason"] = reason;
        foreach (var (key, value) in extra ?? []) details[key] = value;
        _gateway.Audit.Write(new AuditEvent
        {
            Kind = AuditKinds.NetworkDecision,
            Actor = AuditSink.Actor,
            Outcome = outcome,
            SandboxId = sandboxId,
            Details = details,
        });
    }

    private void AuditScan(EgressScanException e)
    {
        // AnomalyCounters counts canary_access from a "canary" detail on this record; values are never written, only names.
        var extra = new Dictionary<string, string>();
        if (e.Reason == "canary") extra["canary"] = e.Rule;
        if (e.Secret is not null) extra["secret"] = e.Secret;
        Audit(AuditOutcomes.Denied, _tenant!.SandboxId, e.Rule, e.Message, extra);
        _gateway.Audit.Write(new AuditEvent
        {
            Kind = AuditKinds.Anomaly,
            Actor = AuditSink.Actor,
            Outcome = AuditOutcomes.Alert,
            SandboxId = _tenant.SandboxId,
            Details = new Dictionary<string, string>
            {
                ["reason"] = e.Reason == "canary" ? "canary" : "secret_exfiltration",
                ["rule"] = e.Rule,
                ["host"] = _host ?? "",
                ["message"] = e.Message,
            },
        });
    }
}
