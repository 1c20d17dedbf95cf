#!/usr/bin/python3
# airlock-code: the in-sandbox half of Airlock's code interpreter. The host writes this file into the
# sandbox and runs it as an ordinary exec, so every cell walks the same policy, approval and audit
# path as any command (a policy gates it with a tool pattern such as "airlock-code run").
#
#   airlock-code run [--timeout SECONDS]   code on stdin; one JSON result on stdout
#   airlock-code interrupt                 the running cell raises KeyboardInterrupt (its run sends the SIGINT)
#   airlock-code restart                   kill the kernel and start a fresh one
#
# One ipykernel per sandbox runs in its own session (so the exec that started it may end, and a
# timeout's kill of that exec's process group does not reach it); its connection file and pid live
# in STATE. Only the Debian packages python3-ipykernel and python3-jupyter-client are needed.
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time

STATE = "/tmp/.airlock/code/python"
CONNECTION = os.path.join(STATE, "kernel.json")
PID_FILE = os.path.join(STATE, "kernel.pid")
LOG = os.path.join(STATE, "kernel.log")
# `interrupt` leaves this file; the run whose cell the kernel is executing picks it up and interrupts its own cell
# (a SIGINT sent from outside could land while the cell is still being handed to the kernel and be swallowed).
INTERRUPT_REQUEST = os.path.join(STATE, "interrupt")
START_SECONDS = 60
# After an interrupt a cell gets this long to unwind; then the kernel is restarted (state lost, said so).
INTERRUPT_GRACE_SECONDS = 10
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def fail(message, code=3):
    sys.stderr.write("airlock-code: " + message + "\n")
    sys.exit(code)


def kernel_pid():
    try:
        with open(PID_FILE) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"ipykernel" not in f.read():
                return None
        return pid
    except (OSError, ValueError):
        return None


def start_kernel():
    os.makedirs(STATE, exist_ok=True)
    for path in (CONNECTION, PID_FILE):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    env = dict(os.environ)
    # Sandboxes may have no HOME; IPython and matplotlib want somewhere to write their settings.
    env.setdefault("HOME", "/root")
    env["IPYTHONDIR"] = os.path.join(STATE, "ipython")
    env["MPLCONFIGDIR"] = os.path.join(STATE, "matplotlib")
    env["JUPYTER_RUNTIME_DIR"] = os.path.join(STATE, "runtime")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    with open(LOG, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ipykernel_launcher", "-f", CONNECTION, "--HistoryManager.enabled=False"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True,
            # An interrupt that arrives while the kernel is still starting would kill it: ignore SIGINT until
            # ipykernel takes it over (it ignores SIGINT between cells and raises KeyboardInterrupt inside one).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    with open(PID_FILE, "w") as f:
        f.write(str(process.pid))
    deadline = time.monotonic() + START_SECONDS
    while not os.path.exists(CONNECTION) or os.path.getsize(CONNECTION) == 0:
        if process.poll() is not None:
            fail("the Python kernel exited at start (code %s): %s" % (process.returncode, tail_of_log()))
        if time.monotonic() > deadline:
            fail("the Python kernel did not start within %ds: %s" % (START_SECONDS, tail_of_log()))
        time.sleep(0.05)
    return process.pid


def tail_of_log():
    try:
        with open(LOG, "rb") as f:
            return f.read()[-600:].decode("utf-8", "replace").strip() or "(no output)"
    except OSError:
        return "(no log)"


def kill_kernel():
    pid = kernel_pid()
    if pid is not None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        for _ in range(100):
            if kernel_pid() is None or not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.02)


def connect():
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=CONNECTION)
    client.load_connection_file()
    client.start_channels()
    # Also waits until IOPub is subscribed, so no output of the cell is published before we listen.
    client.wait_for_ready(timeout=START_SECONDS)
    return client


def interrupt_requested(since):
    """True once (consuming the request) when `interrupt` was asked for after this run began."""
    try:
        requested = os.path.getmtime(INTERRUPT_REQUEST)
        os.unlink(INTERRUPT_REQUEST)
    except OSError:
        return False
    return requested >= since


def text_of(value):
    if isinstance(value, list):
        return "".join(value)
    return value if isinstance(value, str) else json.dumps(value)


def bundle(data):
    result = {}
    for mime, value in data.items():
        if mime == "application/json" or mime.endswith("+json"):
            result[mime] = json.dumps(value)
        elif mime.startswith("image/") and mime != "image/svg+xml":
            result[mime] = "".join(text_of(value).split())
        else:
            result[mime] = text_of(value)
    return result


def run(timeout):
    code = sys.stdin.read()
    os.makedirs(STATE, exist_ok=True)
    # Two first cells at once must not start two kernels.
    with open(os.path.join(STATE, "start.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pid = kernel_pid() or start_kernel()
    client = connect()
    msg_id = client.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
    result = {"stdout": "", "stderr": "", "text": None, "outputs": [], "error": None, "executionCount": 0}
    started = time.time()
    deadline = time.monotonic() + timeout
    interrupted_at = None
    signalled_at = None
    timed_out = False
    running = False
    while True:
        now = time.monotonic()
        if interrupted_at is None and now >= deadline:
            os.kill(pid, signal.SIGINT)
            interrupted_at = now
            timed_out = True
        if interrupted_at is None and running and interrupt_requested(started):
            os.kill(pid, signal.SIGINT)
            interrupted_at = signalled_at = now
        elif signalled_at is not None and now - signalled_at >= 2:
            # A SIGINT that reached the kernel between its own steps may have been swallowed: repeat it until the
            # cell ends (an interrupted cell ends at once).
            os.kill(pid, signal.SIGINT)
            signalled_at = now
        if interrupted_at is not None and now >= interrupted_at + INTERRUPT_GRACE_SECONDS:
            kill_kernel()
            start_kernel()
            why = "ran longer than its %gs timeout and" % timeout if timed_out else "was interrupted but"
            result["error"] = {
                "name": "TimeoutError" if timed_out else "KeyboardInterrupt",
                "value": "the cell %s did not stop within %ds; the kernel was restarted and its state is lost" % (why, INTERRUPT_GRACE_SECONDS),
                "traceback": [],
            }
            break
        wait = (deadline if interrupted_at is None else interrupted_at + INTERRUPT_GRACE_SECONDS) - now
        try:
            message = client.get_iopub_msg(timeout=max(0.05, min(wait, 0.2)))
        except Exception:  # queue.Empty: nothing yet
            if kernel_pid() is None:
                start_kernel()
                result["error"] = {"name": "KernelDied", "value": "the Python kernel died while running the cell (out of memory?); a fresh kernel was started and its state is lost", "traceback": []}
                break
            continue
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        content = message["content"]
        if kind == "status" and content.get("execution_state") == "idle":
            break
        if kind == "stream":
            result["stdout" if content.get("name") == "stdout" else "stderr"] += content.get("text", "")
        elif kind in ("execute_result", "display_data", "update_display_data"):
            data = bundle(content.get("data", {}))
            result["outputs"].append({"kind": "execute_result" if kind == "execute_result" else "display_data", "data": data})
            if kind == "execute_result":
                result["text"] = data.get("text/plain")
                result["executionCount"] = content.get("execution_count") or 0
        elif kind == "error":
            result["error"] = {
                "name": content.get("ename", ""),
                "value": content.get("evalue", ""),
                "traceback": [ANSI.sub("", line) for line in content.get("traceback", [])],
            }
        elif kind == "clear_output":
            result["outputs"] = []
        elif kind == "execute_input":
            result["executionCount"] = content.get("execution_count") or result["executionCount"]
            running = True
    if interrupted_at is not None and not timed_out:
        if result["error"] is None:
            result["error"] = {"name": "KeyboardInterrupt", "value": "the cell was interrupted", "traceback": []}
    elif interrupted_at is not None and result["error"] is not None and result["error"]["name"] == "KeyboardInterrupt":
        result["error"]["name"] = "TimeoutError"
        result["error"]["value"] = "the cell ran longer than its %gs timeout and was interrupted; the kernel keeps its state" % timeout
    elif interrupted_at is not None and result["error"] is None:
        result["error"] = {"name": "TimeoutError", "value": "the cell ran longer than its %gs timeout and was interrupted" % timeout, "traceback": []}
    client.stop_channels()
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


def require_jupyter():
    import importlib.util

    missing = [m for m in ("ipykernel", "jupyter_client") if importlib.util.find_spec(m) is None]
    if missing:
        fail("this sandbox's image has no %s; use the default image 'python' or add the Debian packages python3-ipykernel and python3-jupyter-client" % " or ".join(missing), 4)


def main(argv):
    if not argv:
        fail("usage: airlock-code run [--timeout SECONDS] | interrupt | restart", 2)
    verb = argv[0]
    if verb == "run":
        timeout = 60.0
        if len(argv) == 3 and argv[1] == "--timeout":
            timeout = float(argv[2])
        elif len(argv) != 1:
            fail("usage: airlock-code run [--timeout SECONDS]", 2)
        require_jupyter()
        run(timeout)
    elif verb == "interrupt":
        if kernel_pid() is not None:
            with open(INTERRUPT_REQUEST, "w"):
                pass
    elif verb == "restart":
        require_jupyter()
        os.makedirs(STATE, exist_ok=True)
        with open(os.path.join(STATE, "start.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            kill_kernel()
            start_kernel()
    else:
        fail("unknown verb '%s'; use run, interrupt or restart" % verb, 2)


if __name__ == "__main__":
    main(sys.argv[1:])
