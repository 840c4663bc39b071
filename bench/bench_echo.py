"""The echo server that stores messages, Java against C. Prints exactly:

    echo_msgs_per_s java=X c=Y ratio=Z
    echo_burst_msgs_per_s java=X c=Y ratio=Z
    echo_rtt_ms p50=X p99=Y
    echo_connect_ms p50=X
    handler_rss_mb max=X

The yardstick is bench/c/echo_storeserv.c, the book's design with its bugs fixed (a forked
handler per client, one storing child on a pipe), compiled here with gcc. Both servers get the
same load generator, bench/c/echo_load.c: 16 threads, one connection each, 2000 round trips
of 32 bytes per connection, one message in flight per connection. Each connection first makes
100 untimed round trips (so every handler is up), then the bench waits until the server's
processes are idle (the Java server starts more handlers when clients wait for one) and times the
2000 round trips. Five rounds alternate Java and C (the machine may be busy with other
work); the medians are printed.

echo_burst_msgs_per_s: the same 16 x 2000 x 32-byte load on servers that have just started,
with their default options and no warm-up: the 16 clients connect at once and start their round
trips at once, timed from the start to the last echo (echo_load's burst mode). Each of
BURST_ROUNDS rounds starts a fresh Java server and a fresh C server, bursts each once (in
alternating order) and stops them; the medians are printed. The Java store must then hold every
line.

echo_rtt_ms: one client alone, 2000 timed round trips of 32 bytes to the Java server (the
round trip under the 16-client load is printed on stderr). echo_connect_ms: 30 connections to
the Java server one after the other, 100 ms apart, each timed from connect() to its first
echo. handler_rss_mb: the largest resident set of a Java handler process, sampled while the
16 clients are connected. Afterwards the bench checks that the Java store holds every line.

Run from the repository root after the jar is built (make bench does both). Builds into
bench/build."""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / "lib" / "target" / "ipclab.jar"
BUILD = ROOT / "bench" / "build"
HZ = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

CLIENTS, MESSAGES, SIZE, WARMUP = 16, 2000, 32, 100
ROUNDS = 5
RTT_MESSAGES = 2000
CONNECTS, CONNECT_GAP_MS = 30, 100
BURST_ROUNDS = 5
FLOORS = {"ratio": 0.75, "burst ratio": 0.6, "rtt p99": 2.0, "connect p50": 60.0, "handler rss": 64.0}


def fail(message: str) -> None:
    print(f"bench_echo: {message}", file=sys.stderr)
    sys.exit(1)


def build() -> dict:
    if not JAR.is_file():
        fail(f"{JAR.relative_to(ROOT)} is missing: run make setup")
    for tool in ("gcc", "java"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not on PATH")
    BUILD.mkdir(parents=True, exist_ok=True)
    programs = {}
    for name in ("echo_storeserv", "echo_load"):
        exe = BUILD / name
        proc = subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-pthread", "-o", exe, ROOT / "bench" / "c" / f"{name}.c"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            fail(f"gcc {name}.c: {proc.stderr.strip()[-2000:]}")
        programs[name] = exe
    return programs


class Server:
    """A server process started in its own session; its first line says where it listens."""

    def __init__(self, name: str, cmd: list):
        self.name = name
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        line = self._first_line(timeout=60)
        if not line.startswith("listening on "):
            self.proc.kill()
            fail(f"{name} server did not start: {line.strip() or self.proc.stdout.read().strip()}")
        self.host, port = line.split()[-1].rsplit(":", 1)
        self.port = int(port)

    def _first_line(self, timeout: float) -> str:
        got = []
        reader = threading.Thread(target=lambda: got.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return got[0] if got else ""

    def processes(self) -> list:
        """The server and everything below it, from /proc."""
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(entry))
                except (OSError, ValueError):
                    pass
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(parents.get(pid, []))
        return found

    def cpu_ticks(self) -> int:
        total = 0
        for pid in self.processes():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                total += sum(int(f) for f in fields[11:15])
            except (OSError, ValueError):
                pass
        return total

    def wait_idle(self, limit: float = 20.0) -> None:
        """Until the server's processes used under 2 % of a core for 300 ms (or the limit passes)."""
        deadline = time.monotonic() + limit
        last = self.cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.cpu_ticks()
            if now - last <= max(1, 0.02 * 0.3 * HZ):
                return
            last = now

    def handler_rss_mb(self) -> float:
        largest = 0
        for pid in self.processes():
            try:
                if b"EchoHandler" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    continue
                largest = max(largest, int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE)
            except (OSError, ValueError, IndexError):
                pass
        return largest / (1 << 20)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.communicate()
            fail(f"{self.name} server did not stop within 30 s of SIGTERM")
        return out


def values(line: str) -> dict:
    return {k: float(v) for k, v in (item.split("=") for item in line.split())}


def rounds(load: Path, server: Server, clients: int, messages: int, rss: list = None) -> dict:
    cmd = [load, "rounds", server.host, str(server.port), str(clients), str(messages), str(SIZE), str(WARMUP)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if proc.stdout.readline().strip() != "ready":
            fail(f"load generator against the {server.name} server: {proc.communicate(timeout=30)[1].strip()}")
        server.wait_idle()
        if rss is not None:
            rss.append(server.handler_rss_mb())
        out, err = proc.communicate("go\n", timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        fail(f"load generator against the {server.name} server took over 300 s")
    if proc.returncode != 0:
        fail(f"load generator against the {server.name} server exited {proc.returncode}: {err.strip()}")
    return values(out)


def burst(load: Path, server: Server) -> dict:
    cmd = [load, "burst", server.host, str(server.port), str(CLIENTS), str(MESSAGES), str(SIZE)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        fail(f"burst against the {server.name} server took over 300 s")
    if proc.returncode != 0:
        fail(f"burst against the {server.name} server exited {proc.returncode}: {proc.stderr.strip()}")
    return values(proc.stdout)


def bursts(programs: dict, tmp: Path) -> tuple:
    """BURST_ROUNDS rounds, each on a fresh Java server and a fresh C server with default options."""
    java_runs, c_runs = [], []
    for i in range(BURST_ROUNDS):
        java_store, c_store = tmp / f"burst-java-{i}.txt", tmp / f"burst-c-{i}.txt"
        java = Server("Java", ["java", "-jar", str(JAR), "echo-server", "--port", "0", "--store", str(java_store)])
        try:
            c = Server("C", [str(programs["echo_storeserv"]), "0", str(c_store)])
        except SystemExit:
            java.stop()
            raise
        try:
            for server in ((java, c) if i % 2 == 0 else (c, java)):
                (java_runs if server is java else c_runs).append(burst(programs["echo_load"], server))
        finally:
            java_log = java.stop()
            c.stop()
        stored = java_store.read_bytes().count(b"\n")
        if stored != CLIENTS * MESSAGES:
            fail(f"after a burst the Java store holds {stored} lines, not {CLIENTS * MESSAGES}: {java_log.strip()[-500:]}")
    return java_runs, c_runs


def connects(load: Path, server: Server) -> dict:
    proc = subprocess.run([load, "connect", server.host, str(server.port), str(CONNECTS), str(CONNECT_GAP_MS)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        fail(f"connect bench against the {server.name} server exited {proc.returncode}: {proc.stderr.strip()}")
    return values(proc.stdout)


def main() -> None:
    programs = build()
    load = programs["echo_load"]
    with tempfile.TemporaryDirectory(prefix="bench-echo-") as tmp:
        burst_java, burst_c = bursts(programs, Path(tmp))
        java_store, c_store = Path(tmp) / "java.txt", Path(tmp) / "c.txt"
        java = Server("Java", ["java", "-jar", str(JAR), "echo-server", "--port", "0", "--store", str(java_store)])
        c = Server("C", [str(programs["echo_storeserv"]), "0", str(c_store)])
        try:
            rss = []
            java_runs, c_runs = [], []
            for _ in range(ROUNDS):
                java_runs.append(rounds(load, java, CLIENTS, MESSAGES, rss))
                c_runs.append(rounds(load, c, CLIENTS, MESSAGES))
            single = rounds(load, java, 1, RTT_MESSAGES)
            java.wait_idle()
            connect = connects(load, java)
            c_connect = connects(load, c)
        finally:
            java_log = java.stop()
            c.stop()
        expected = ROUNDS * CLIENTS * (WARMUP + MESSAGES) + (WARMUP + RTT_MESSAGES) + CONNECTS
        stored = java_store.read_bytes().count(b"\n")
        if stored != expected:
            fail(f"the Java store holds {stored} lines, not {expected}: {java_log.strip()[-500:]}")

    j = statistics.median(r["msgs_per_s"] for r in java_runs)
    n = statistics.median(r["msgs_per_s"] for r in c_runs)
    print(f"echo_msgs_per_s java={j:.0f} c={n:.0f} ratio={j / n:.2f}", flush=True)
    bj = statistics.median(r["msgs_per_s"] for r in burst_java)
    bn = statistics.median(r["msgs_per_s"] for r in burst_c)
    print(f"echo_burst_msgs_per_s java={bj:.0f} c={bn:.0f} ratio={bj / bn:.2f}", flush=True)
    print(f"echo_rtt_ms p50={single['rtt_p50_ms']:.3f} p99={single['rtt_p99_ms']:.3f}", flush=True)
    print(f"echo_connect_ms p50={connect['connect_p50_ms']:.2f}", flush=True)
    print(f"handler_rss_mb max={max(rss):.1f}", flush=True)

    loaded = sorted(java_runs, key=lambda r: r["msgs_per_s"])[len(java_runs) // 2]
    c_loaded = sorted(c_runs, key=lambda r: r["msgs_per_s"])[len(c_runs) // 2]
    print(f"bench_echo: rounds java={[round(r['msgs_per_s']) for r in java_runs]} c={[round(r['msgs_per_s']) for r in c_runs]};"
          f" rtt under {CLIENTS} clients java p50={loaded['rtt_p50_ms']:.3f} p99={loaded['rtt_p99_ms']:.3f}"
          f" c p50={c_loaded['rtt_p50_ms']:.3f} p99={c_loaded['rtt_p99_ms']:.3f};"
          f" connect c p50={c_connect['connect_p50_ms']:.2f};"
          f" bursts java={[round(r['msgs_per_s']) for r in burst_java]} c={[round(r['msgs_per_s']) for r in burst_c]}",
          file=sys.stderr)
    missed = []
    if j / n < FLOORS["ratio"]:
        missed.append(f"ratio {j / n:.2f} < {FLOORS['ratio']}")
    if bj / bn < FLOORS["burst ratio"]:
        missed.append(f"burst ratio {bj / bn:.2f} < {FLOORS['burst ratio']}")
    if single["rtt_p99_ms"] > FLOORS["rtt p99"]:
        missed.append(f"rtt p99 {single['rtt_p99_ms']:.3f} ms > {FLOORS['rtt p99']} ms")
    if connect["connect_p50_ms"] > FLOORS["connect p50"]:
        missed.append(f"connect p50 {connect['connect_p50_ms']:.2f} ms > {FLOORS['connect p50']} ms")
    if max(rss) > FLOORS["handler rss"]:
        missed.append(f"handler rss {max(rss):.1f} MB > {FLOORS['handler rss']} MB")
    if missed:
        print("bench_echo: below floor: " + "; ".join(missed), file=sys.stderr)


if __name__ == "__main__":
    main()
