# The red-team battery's "internet": listeners inside a network namespace the battery made (never any real address).
# HTTP :80, HTTPS :443 (the battery CA's certificate), raw TCP :7000, UDP :7001 and DNS :53 (UDP and TCP) on every
# address of the namespace, IPv4 and IPv6. Everything that arrives is appended as one JSON line to DIR/arrivals.log:
# the host judges network cases by it. The script only listens; it never connects anywhere.
import http.server, json, socket, socketserver, ssl, struct, sys, threading, os

directory, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
dual = socket.has_ipv6

def log(record):
    with lock, open(os.path.join(directory, "arrivals.log"), "a") as f:
        f.write(json.dumps(record) + "\n")

def plain(address):
    return address[7:] if address.startswith("::ffff:") else address

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def handle_one(self, body):
        log({"kind": self.server.kind, "method": self.command, "path": self.path, "host": self.headers.get("Host", ""),
             "sni": getattr(self.connection, "sni", None) or "", "local": plain(self.connection.getsockname()[0]),
             "peer": plain(self.client_address[0]), "headers": dict(self.headers.items()), "body": body.decode("latin-1")})
        text = ("hello from %s %s\n" % (self.headers.get("Host", ""), self.path)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)
    def do_GET(self): self.handle_one(b"")
    def do_POST(self): self.handle_one(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
    do_PUT = do_POST

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    address_family = socket.AF_INET6 if dual else socket.AF_INET
    def server_bind(self):
        if dual: self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

ANY = "::" if dual else "0.0.0.0"
http_server = Server((ANY, 80), Handler); http_server.kind = "http"
https_server = Server((ANY, 443), Handler); https_server.kind = "https"
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
context.sni_callback = lambda sock, name, ctx: setattr(sock, "sni", name)
https_server.socket = context.wrap_socket(https_server.socket, server_side=True)

def bound(kind):
    s = socket.socket(socket.AF_INET6 if dual else socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if dual: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    return s

def local_of(s):
    return plain(s.getsockname()[0])

def raw_tcp():
    s = bound(socket.SOCK_STREAM); s.bind((ANY, 7000)); s.listen()
    while True:
        c, peer = s.accept()
        try:
            c.settimeout(2)
            try: data = c.recv(200)
            except OSError: data = b""
            log({"kind": "tcp", "local": local_of(c), "peer": plain(peer[0]), "data": data.decode("latin-1")})
            c.sendall(b"raw-hello\n")
        finally: c.close()

def udp():
    s = bound(socket.SOCK_DGRAM); s.bind((ANY, 7001))
    while True:
        data, peer = s.recvfrom(65536)
        log({"kind": "udp", "peer": plain(peer[0]), "data": data.decode("latin-1")})
        s.sendto(b"udp-hello", peer)

def qname(message):
    labels, i = [], 12
    while i < len(message) and message[i]:
        labels.append(message[i + 1:i + 1 + message[i]].decode("latin-1")); i += 1 + message[i]
    return ".".join(labels), i + 5

def answer(message):
    # An authoritative answer (198.18.0.1 for any A question) so that a tunnel that got here would "work".
    name, end = qname(message)
    head = message[:2] + b"\x84\x00" + message[4:6] + b"\x00\x01\x00\x00\x00\x00"
    return head + message[12:end] + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc6\x12\x00\x01", name

def dns_udp():
    s = bound(socket.SOCK_DGRAM); s.bind((ANY, 53))
    while True:
        data, peer = s.recvfrom(65536)
        try:
            reply, name = answer(data)
        except Exception:
            reply, name = b"", "?"
        log({"kind": "dns", "transport": "udp", "peer": plain(peer[0]), "name": name})
        if reply: s.sendto(reply, peer)

def dns_tcp():
    s = bound(socket.SOCK_STREAM); s.bind((ANY, 53)); s.listen()
    while True:
        c, peer = s.accept()
        try:
            c.settimeout(2)
            size = struct.unpack(">H", c.recv(2))[0]
            reply, name = answer(c.recv(size))
            log({"kind": "dns", "transport": "tcp", "peer": plain(peer[0]), "name": name})
            c.sendall(struct.pack(">H", len(reply)) + reply)
        except Exception:
            log({"kind": "dns", "transport": "tcp", "peer": plain(peer[0]), "name": "?"})
        finally: c.close()

for target in (http_server.serve_forever, https_server.serve_forever, raw_tcp, udp, dns_udp, dns_tcp):
    threading.Thread(target=target, daemon=True).start()
open(os.path.join(directory, "ready"), "w").close()
threading.Event().wait()
