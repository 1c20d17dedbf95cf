using System.Net;
using Airlock.Policy;

namespace Airlock.Egress;

/// <summary>
/// Transparent TCP: nftables sent the connection here, so the gateway reads where it was going and what it says it is
/// (TLS SNI or HTTP Host). A name must be allowed and the original address must be one the gateway resolves that name
/// to (or be allowed by CIDR): otherwise an allowed name could front for any address (domain fronting).
/// </summary>
internal sealed partial class EgressConnection
{
    private async Task TransparentAsync(CancellationToken cancellationToken)
    {
        var destination = _gateway.OriginalDestination(_client)
            ?? throw new EgressRefusedException("no-original-destination", "the connection was not redirected by nftables (no original destination)");
        _address = destination.Address.IsIPv4MappedToIPv6 ? destination.Address.MapToIPv4() : destination.Address;
        _port = destination.Port;

        HttpHead? head = null;
        string? name = null;
        using (var sniff = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // Server-first protocols (SSH, SMTP) send nothing until the server speaks: a short wait, then CIDR rules alone.
            sniff.CancelAfter(TimeSpan.FromMilliseconds(300));
            var sent = false;
            try
            {
                sent = await _peek!.FillAsync(1, sniff.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (sent && TlsClientHello.IsHandshake(_peek!.Buffered) && await _peek.FillAsync(5, cancellationToken)
                && await _peek.FillAsync(TlsClientHello.RecordLength(_peek.Buffered), cancellationToken))
            {
                name = TlsClientHello.ServerName(_peek.Buffered);
            }
            else if (sent && HttpHead.LooksLikeRequest(_peek!.Buffered))
            {
                _respondTo = _peek;
                head = HttpHead.Parse(await _peek.ReadHeadAsync(cancellationToken) ?? throw new IOException("the client closed mid-request"));
                if (head.Header("Host") is { } hostHeader) name = SplitAuthority(hostHeader, _port).Host;
            }
        }

        var allow = _tenant!.Tenant.Network.Allow;
        var byAddress = EgressMatch.First(allow.Where(t => t.Kind == EgressTargetKind.Network), _address.ToString(), _port);
        if (name is not null && !IPAddress.TryParse(name, out _))
        {
            _host = name;
            var byName = EgressMatch.First(allow.Where(t => t.Kind != EgressTargetKind.Network), name, _port);
            if (byName is not null)
            {
                var resolved = await _gateway.Resolver.ResolveAsync(name, cancellationToken);
                if (resolved.Contains(_address)) _rule = byName.Pattern;
                else if (byAddress is null)
                {
                    throw new EgressRefusedException(byName.Pattern,
                        $"{name} is allowed, but this connection was going to {_address}, which is not an address the gateway resolves {name} to");
                }
            }
            else if (byAddress is null)
            {
                throw new EgressRefusedException("not in network.allow", $"{name}:{_port} is not in the sandbox's network.allow");
            }
        }

        if (_rule == "none")
        {
            _rule = byAddress?.Pattern
                ?? throw new EgressRefusedException("not in network.allow", $"{_address}:{_port} is not in the sandbox's network.allow (no name seen, and no CIDR rule covers it)");
        }

        // The gateway connects to the original address only because it is one the gateway itself resolved or a CIDR rule names.
        await ConnectAsync([_address], cancellationToken);
        if (head is not null) await ExchangeAsync(_peek!, _upstreamStream!, head, cancellationToken);
        else await ForwardAsync(_peek!, null, cancellationToken);
    }
}
