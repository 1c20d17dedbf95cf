# The egress tests' "internet": listeners inside a network namespace the test made (never any real address).
# HTTP :80 and HTTPS :443 on every address of the namespace (the test CA's certificate), raw TCP :7000, UDP :7001.
# Every request, connection and datagram is appended as one JSON line to a log in DIR, so a test can prove what arrived.
import http.server, json, socket, socketserver, ssl, sys, threading, os

directory, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()

def log(name, record):
    with lock, open(os.path.join(directory, name), "a") as f:
        f.write(json.dumps(record) + "\n")

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def handle_one(self, body):
        log("requests.log", {"method": self.command, "path": self.path, "host": self.headers.get("Host", ""),
                             "local": self.connection.getsockname()[0], "headers": dict(self.headers.items()),
                             "body": body.decode("latin-1")})
        if self.path.startswith("/big/"):
            size = int(self.path[5:])
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"x" * 65536
            while size > 0:
                n = min(size, len(chunk)); self.wfile.write(chunk[:n]); size -= n
            return
        text = ("hello from %s %s\n" % (self.headers.get("Host", ""), self.path)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)
    def do_GET(self): self.handle_one(b"")
    def do_POST(self):
        self.handle_one(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

http_server = Server(("0.0.0.0", 80), Handler)
https_server = Server(("0.0.0.0", 443), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
https_server.socket = context.wrap_socket(https_server.socket, server_side=True)

def raw_tcp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 7000)); s.listen()
    while True:
        c, peer = s.accept()
        log("tcp.log", {"peer": peer[0]})
        try: c.sendall(b"raw-hello\n")
        finally: c.close()

def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 7001))
    while True:
        data, peer = s.recvfrom(65536)
        log("udp.log", {"peer": peer[0], "data": data.decode("latin-1")})
        s.sendto(b"udp-hello", peer)

for target in (http_server.serve_forever, https_server.serve_forever, raw_tcp, udp):
    threading.Thread(target=target, daemon=True).start()
open(os.path.join(directory, "ready"), "w").close()
threading.Event().wait()
