"""Round trips and throughput over six IPC mechanisms, Java against C in the same run. Prints
exactly, one line per mechanism and message size, then one per mechanism:

    ipc_rtt_us mech=M size=S java=X c=Y ratio=Z
    ipc_MiBps mech=M java=X c=Y ratio=Z

M is pipe, fifo, socketpair, uds (a Unix domain socket at a path), tcp (127.0.0.1, TCP_NODELAY)
or shm (a mapped /dev/shm file, flags waited for by spinning). S is the message size in bytes.
X and Y are the p50 round trip in microseconds, or MiB/s one way; the ratio is C's time over
Java's for round trips and Java's MiB/s over C's for throughput, so above 1 Java did better.

Both sides run one protocol (notebooks/c/ipc_pingpong.c and ipclab.benchmark.Peer): a ping
process writes SIZE bytes, a pong process reads them whole and writes them back, ROUNDS times
per size after WARMUP untimed round trips; then ping sends BYTES one way in 64 KiB writes
(after BYTES/4 untimed) and pong answers one byte when it has read them all. C: the program
forks its pong after setting the channel up. Java: two child JVMs started by
ipclab.child.ChildProcess, so with the JVM options of every child the course starts (printed on
stderr); a third JVM only sets the channel up and hands it over.

The machine may be busy with other work, which only ever slows a pass down: each mechanism is
measured REPEATS times, Java and C alternating, and each side's best pass is reported (the
lowest p50, the highest MiB/s). The C peer is compiled here with gcc -O2 into bench/build.
Floors (stderr; a missed floor does not fail the run): ratio >= 0.8 for the 32 B round trip and
the throughput over pipe, fifo, socketpair and uds; shared memory 32 B round trip, Java <= 5 us.
Run from the repository root after the jar is built (make bench does both)."""
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / "lib" / "target" / "ipclab.jar"
BUILD = ROOT / "bench" / "build"
CLASSES = BUILD / "ipc-classes"
SOURCE = ROOT / "notebooks" / "c" / "ipc_pingpong.c"

MECHS = ["pipe", "fifo", "socketpair", "uds", "tcp", "shm"]
SIZES = [32, 1024, 65536]
ROUNDS, WARMUP = 5000, 2000
BYTES = 256 << 20
REPEATS = 5
RATIO_FLOOR = 0.8
RATIO_MECHS = ["pipe", "fifo", "socketpair", "uds"]
SHM_RTT_FLOOR_US = 5.0


def fail(message: str) -> None:
    print(f"bench_ipc: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd, timeout=300) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        fail(f"{shlex.join(map(str, cmd))} exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return proc.stdout


def build():
    """The Java driver always; the C peer when gcc is there (else None)."""
    if not JAR.is_file():
        fail(f"{JAR.relative_to(ROOT)} is missing: run make setup")
    for tool in ("javac", "java"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not on PATH")
    BUILD.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(CLASSES, ignore_errors=True)
    run(["javac", "--release", "17", "-cp", JAR, "-d", CLASSES, ROOT / "bench" / "java" / "IpcBench.java"])
    if shutil.which("gcc") is None:
        print("bench_ipc: gcc not found: Java alone, c=n/a", file=sys.stderr)
        return None
    exe = BUILD / "ipc_pingpong"
    run(["gcc", "-O2", "-Wall", "-Werror", "-o", exe, SOURCE])
    return exe


def parse(text: str) -> dict:
    out = {"rtt": {}, "mibps": 0.0, "jvm": ""}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == "rtt":
            out["rtt"][int(f[1])] = int(f[2]) / 1000.0
        elif len(f) == 2 and f[0] == "MiBps":
            out["mibps"] = float(f[1])
        elif f and f[0] == "jvm":
            out["jvm"] = " ".join(f[1:])
    if sorted(out["rtt"]) != sorted(SIZES) or out["mibps"] <= 0:
        fail(f"a peer reported too little: {text.strip()[-500:]}")
    return out


def best(passes: list) -> dict:
    return {"rtt": {s: min(p["rtt"][s] for p in passes) for s in SIZES}, "mibps": max(p["mibps"] for p in passes)}


def main() -> None:
    c_exe = build()
    args = [",".join(map(str, SIZES)), str(ROUNDS), str(WARMUP), str(BYTES)]
    java_passes = {m: [] for m in MECHS}
    c_passes = {m: [] for m in MECHS}
    jvm = ""
    for _ in range(REPEATS):
        for mech in MECHS:
            j = parse(run(["java", "-cp", f"{JAR}:{CLASSES}", "IpcBench", mech, *args]))
            jvm = j["jvm"] or jvm
            java_passes[mech].append(j)
            if c_exe is not None:
                c_passes[mech].append(parse(run([c_exe, mech, *args])))
    print(f"bench_ipc: Java peers: child JVMs started by ipclab.child.ChildProcess with {jvm}", file=sys.stderr)
    print(f"bench_ipc: best of {REPEATS} passes each; {ROUNDS} round trips per size after {WARMUP} untimed; "
          f"{BYTES >> 20} MiB one way", file=sys.stderr)

    java = {m: best(java_passes[m]) for m in MECHS}
    c = {m: best(c_passes[m]) for m in MECHS} if c_exe is not None else None
    missed = []
    for mech in MECHS:
        for size in SIZES:
            jv = java[mech]["rtt"][size]
            if c is None:
                print(f"ipc_rtt_us mech={mech} size={size} java={jv:.2f} c=n/a ratio=n/a", flush=True)
                continue
            cv = c[mech]["rtt"][size]
            print(f"ipc_rtt_us mech={mech} size={size} java={jv:.2f} c={cv:.2f} ratio={cv / jv:.2f}", flush=True)
            if size == 32 and mech in RATIO_MECHS and cv / jv < RATIO_FLOOR:
                missed.append(f"{mech} 32 B round trip ratio {cv / jv:.2f} < {RATIO_FLOOR}")
    for mech in MECHS:
        jv = java[mech]["mibps"]
        if c is None:
            print(f"ipc_MiBps mech={mech} java={jv:.0f} c=n/a ratio=n/a", flush=True)
            continue
        cv = c[mech]["mibps"]
        print(f"ipc_MiBps mech={mech} java={jv:.0f} c={cv:.0f} ratio={jv / cv:.2f}", flush=True)
        if mech in RATIO_MECHS and jv / cv < RATIO_FLOOR:
            missed.append(f"{mech} throughput ratio {jv / cv:.2f} < {RATIO_FLOOR}")
    shm = java["shm"]["rtt"][32]
    if shm > SHM_RTT_FLOOR_US:
        missed.append(f"shm 32 B round trip java {shm:.2f} us > {SHM_RTT_FLOOR_US} us")
    if missed:
        print("bench_ipc: below floor: " + "; ".join(missed), file=sys.stderr)


if __name__ == "__main__":
    main()
