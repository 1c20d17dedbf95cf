#!/usr/bin/python3
# Stand-in for the guest agent in integration tests: same command line (serve --socket P [--ttl-seconds N]),
# same socket, a toy protocol. Request: "<timeout-seconds> <base64 bash script>\n". Reply: merged output, then
# "\n__EXIT__ <code>\n". Children get oom_score_adj 0, as the real agent does.
import base64, os, signal, socket, subprocess, sys, threading

args = sys.argv[1:]
assert args[0] == "serve", args
path = args[args.index("--socket") + 1]
if "--ttl-seconds" in args:
    threading.Timer(float(args[args.index("--ttl-seconds") + 1]), lambda: os._exit(0)).start()

def reset_oom():
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("0")

def handle(conn):
    with conn:
        line = conn.makefile("rb").readline().decode()
        timeout, encoded = line.rstrip("\n").split(" ", 1)
        command = base64.b64decode(encoded).decode()
        p = subprocess.Popen(["/bin/bash", "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, preexec_fn=reset_oom, start_new_session=True)
        try:
            out, _ = p.communicate(timeout=float(timeout))
            code = p.returncode if p.returncode >= 0 else 128 - p.returncode
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            out, _ = p.communicate()
            code = 124
        conn.sendall(out + b"\n__EXIT__ %d\n" % code)

try:
    os.unlink(path)
except FileNotFoundError:
    pass
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(16)
while True:
    conn, _ = server.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
