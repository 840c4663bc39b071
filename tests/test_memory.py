"""The echo server under a memory limit: 200 clients at once, in a 1 GiB memory cgroup.

A real server (`java -jar lib/target/ipclab.jar echo-server`, with no --max-clients) runs in a
fresh cgroup v1 memory cgroup whose limit is 1 GiB, so it derives its cap on handler processes
from that limit (ipclab.memory.HandlerBudget). 200 clients on 127.0.0.1 connect at once, each
sends a line and stays connected. Those beyond the cap wait in the listening socket's queue.
Once the served ones have their echo and the memory has been watched for a while with all 200
held open, the served clients leave, and each waiting one must be served in turn (a bounded
wait, never silence for ever). Checked: nothing was OOM-killed, the cgroup never reached its
limit and its peak stayed below 3/4 of it, at most `cap` clients were served at once, and every
line echoed is in the store.

Needs root and the cgroup v1 memory controller (/sys/fs/cgroup/memory); elsewhere it skips with
one line saying why. The figures (peak, cap, time) are printed.
"""
import os
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest

import processes
from conftest import ROOT

JAR = os.path.join(ROOT, "lib", "target", "ipclab.jar")
CGROUPS = "/sys/fs/cgroup/memory"
LIMIT = 1 << 30
CLIENTS = 200
MIB = 1 << 20
# The cap that ipclab.memory.HandlerBudget derives from the limit (its figures: the notebook's JVM,
# the server and its storing process, a tenth of the limit, per handler); its JUnit test checks 32.
EXPECTED_CAP = min(64, (LIMIT - 300 * MIB - 96 * MIB - LIMIT // 10) // (16 * MIB))


def cgroup_or_skip():
    if os.geteuid() != 0:
        pytest.skip("needs root to make a memory cgroup")
    if not os.path.exists(os.path.join(CGROUPS, "memory.limit_in_bytes")):
        pytest.skip(f"no cgroup v1 memory controller at {CGROUPS}")
    path = os.path.join(CGROUPS, f"ipclab-test-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        os.mkdir(path)
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(LIMIT))
    except OSError as e:
        if os.path.isdir(path):
            os.rmdir(path)
        pytest.skip(f"cannot make a memory cgroup with a limit in {CGROUPS}: {e}")
    return path


def read(cgroup, name):
    with open(os.path.join(cgroup, name)) as f:
        return f.read()


def oom_kills(cgroup):
    """memory.oom_control's oom_kill count (Linux 4.13+), or under_oom where it is missing."""
    fields = dict(line.split() for line in read(cgroup, "memory.oom_control").splitlines())
    return int(fields.get("oom_kill", fields.get("under_oom", "0")))


def remove(cgroup):
    """Kills whatever is left in the cgroup, then removes it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = [int(p) for p in read(cgroup, "cgroup.procs").split()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        processes.reap_zombie_children()
        try:
            os.rmdir(cgroup)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"could not remove {cgroup}")


class Watch(threading.Thread):
    """Samples the cgroup's usage every 50 ms and the number of handler processes in it."""

    def __init__(self, cgroup):
        super().__init__(daemon=True)
        self.cgroup = cgroup
        self.peak_usage = 0
        self.peak_handlers = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                self.peak_usage = max(self.peak_usage, int(read(self.cgroup, "memory.usage_in_bytes")))
                pids = read(self.cgroup, "cgroup.procs").split()
                handlers = 0
                for pid in pids:
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as f:
                            handlers += b"ipclab.server.EchoHandler" in f.read()
                    except OSError:
                        pass
                self.peak_handlers = max(self.peak_handlers, handlers)
            except OSError:
                pass
            self.done.wait(0.05)


def recv_line(sock, deadline):
    data = b""
    while not data.endswith(b"\n"):
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_200_clients_in_a_1_gib_cgroup(tmp_path):
    cgroup = cgroup_or_skip()
    started = time.monotonic()
    store = tmp_path / "echomsg.txt"
    server = None
    watch = Watch(cgroup)
    try:
        # The shell joins the cgroup, then becomes the server's JVM: every process it starts is in it.
        server = subprocess.Popen(
            ["sh", "-c", f'echo $$ > "{cgroup}/cgroup.procs" && exec java -jar "{JAR}" echo-server --port 0 --store "{store}"'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        first = server.stdout.readline()
        assert first.startswith("listening on 127.0.0.1:"), first
        port = int(first.strip().rsplit(":", 1)[1])
        output = []
        threading.Thread(target=lambda: output.extend(server.stdout), daemon=True).start()
        watch.start()

        release = threading.Event()
        served_early = set()     # echoed before anyone left
        echoed = {}              # client -> the echo it got
        problems = []
        lock = threading.Lock()

        def client(i):
            line = f"client {i:03d} of {CLIENTS} says hello\n".encode()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
                    s.sendall(line)
                    got = recv_line(s, time.monotonic() + 300)   # waiting for a free handler included
                    with lock:
                        echoed[i] = got
                        if not release.is_set():
                            served_early.add(i)
                    if got != line:
                        problems.append(f"client {i}: echo {got!r}")
                    release.wait(300)                          # held open until the others may go
            except OSError as e:
                problems.append(f"client {i}: {e}")

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        # The served ones: as many as there are handlers. Wait until that count settles.
        # Handler JVMs start a few at a time, slowly on a busy machine: a generous bound.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and len(echoed) < EXPECTED_CAP:
            time.sleep(0.1)
        time.sleep(3)                                          # all 200 held open, memory watched
        served_at_once = len(echoed)
        usage_held = int(read(cgroup, "memory.usage_in_bytes"))
        release.set()                                          # the served clients leave
        for t in threads:
            t.join(max(1, deadline + 300 - time.monotonic()))
        took_clients = time.monotonic() - started

        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0, "".join(output)
        watch.done.set()
        watch.join()
        peak = int(read(cgroup, "memory.max_usage_in_bytes"))
        failcnt = int(read(cgroup, "memory.failcnt"))
        kills = oom_kills(cgroup)
        stored = store.read_text().splitlines() if store.exists() else []
        print(f"\ntest_memory: cap {served_at_once} clients served at once (expected {EXPECTED_CAP}),"
              f" {watch.peak_handlers} handler processes at most; cgroup peak {peak / MIB:.0f} MiB of {LIMIT / MIB:.0f} MiB"
              f" ({usage_held / MIB:.0f} MiB with all {CLIENTS} clients held open); failcnt {failcnt}, OOM kills {kills};"
              f" {len(echoed)} echoed, {len(stored)} stored; clients done in {took_clients:.0f} s,"
              f" {time.monotonic() - started:.0f} s in all")

        assert not problems, problems[:5]
        assert kills == 0, f"{kills} processes OOM-killed"
        assert "SIGKILL" not in "".join(output), "".join(output)
        assert failcnt == 0, f"the cgroup reached its limit {failcnt} times"
        assert peak < LIMIT * 3 // 4, f"peak {peak / MIB:.0f} MiB, not clearly below the {LIMIT / MIB:.0f} MiB limit"
        assert served_at_once == EXPECTED_CAP, f"{served_at_once} clients served at once, the cap is {EXPECTED_CAP}"
        assert watch.peak_handlers <= EXPECTED_CAP, f"{watch.peak_handlers} handler processes, the cap is {EXPECTED_CAP}"
        assert len(served_early) < CLIENTS
        assert len(echoed) == CLIENTS, f"{CLIENTS - len(echoed)} clients never got their echo"
        want = sorted(f"client {i:03d} of {CLIENTS} says hello" for i in range(CLIENTS))
        assert sorted(stored) == want, f"store: {len(stored)} lines, {len(set(want) - set(stored))} missing"
    finally:
        watch.done.set()
        if server is not None and server.poll() is None:
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            server.wait()
        remove(cgroup)
