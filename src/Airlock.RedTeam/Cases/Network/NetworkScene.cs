using Airlock.RedTeam.Host.Internet;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>The addresses and ports an attack script is given: all of them the battery's own listeners or plumbing.</summary>
internal sealed record NetworkScene(BatteryInternet Internet, string Nonce, string Gateway, int ApiPort)
{
    public string Pkgs => Internet.Pkgs;

    public string Other => Internet.Other;

    public string Api => Internet.Api;

    /// <summary>The battery internet's side of the host (198.18.R.1).</summary>
    public string InternetHost => Internet.HostAddress;

    public string ControlPath => "/control-" + Nonce;

    public int LoopbackPort { get; init; }

    public string? Neighbour { get; init; }

    /// <summary>
    /// Shell prelude: <c>step NAME CMD...</c> prints <c>NAME=EXIT first-output</c> (context only), <c>noproxy</c> drops
    /// the proxy variables, <c>$C</c> is curl trusting the battery CA and the sandbox's own store (which holds the
    /// sandbox's CA when it has secrets: the gateway then terminates its TLS to every allowed name), <c>/tmp/net.py</c> sends raw TCP/UDP/ICMP. The
    /// control request to the allowed host goes first.
    /// </summary>
    public string Prelude => $$"""
        step() { n=$1; shift; "$@" >/tmp/step.out 2>&1; code=$?; echo "$n=$code $(head -c 100 /tmp/step.out | tr '\n' ' ')"; }
        noproxy() { env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy "$@"; }
        { cat /tmp/ca.pem; echo; cat /etc/ssl/certs/ca-certificates.crt; } > /tmp/trust.pem 2>/dev/null
        C="curl -sS --max-time 6 --cacert /tmp/trust.pem"
        step control $C https://pkgs.test{{ControlPath}}

        """;

    /// <summary>python3 /tmp/net.py tcp|udp|icmp|rawicmp HOST PORT [PAYLOAD]: one attempt, its reply printed.</summary>
    public const string NetPy = """
        import socket, sys
        kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        payload = (sys.argv[4] if len(sys.argv) > 4 else 'redteam').encode().decode('unicode_escape').encode('latin-1')
        fam = socket.AF_INET6 if ':' in host else socket.AF_INET
        if kind == 'tcp':
            s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(5); s.connect((host, port)); s.sendall(payload); print(s.recv(100))
        elif kind == 'udp':
            s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(3); s.sendto(payload, (host, port)); print(s.recvfrom(100))
        else:
            proto = socket.IPPROTO_ICMPV6 if fam == socket.AF_INET6 else socket.IPPROTO_ICMP
            s = socket.socket(fam, socket.SOCK_RAW if kind == 'rawicmp' else socket.SOCK_DGRAM, proto); s.settimeout(3)
            s.sendto(bytes([128 if fam == socket.AF_INET6 else 8, 0, 0, 0, 0, 1, 0, 1]) + payload, (host, 0)); print(s.recvfrom(100))
        """;
}
