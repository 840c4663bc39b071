"""Child start-up and pipe throughput, Java against C. Prints exactly:

    spawn_first_byte_ms p50=X p90=Y
    native_fork_first_byte_ms p50=X
    fork_cell_ms p50=X
    pipe_MiBps java=X native=Y ratio=Z

The C programs (bench/c) and the Java drivers (bench/java) are built here into bench/build.
The parent JVM gets the notebook kernel's flags (JJAVA_JVM_OPTS), so the figures are what a
cell sees. Run from the repository root after the jar is built (make bench does both)."""
import math
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / "lib" / "target" / "ipclab.jar"
BUILD = ROOT / "bench" / "build"
CLASSES = BUILD / "classes"
KERNEL_JVM_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx192m"  # as tools/kernelspec.py

SPAWN_RUNS, SPAWN_WARMUP = 40, 10
FORK_RUNS, FORK_WARMUP = 30, 8
NATIVE_RUNS = 200
PIPE_BYTES = 1 << 30
PIPE_WARM = 512 << 20  # untimed, sent first by both: the JVMs compile their loops on it
PIPE_PASSES = 3  # timed passes per pair of processes
PIPE_ROUNDS = 5

FLOORS = {"spawn p50": 40.0, "fork cell p50": 150.0}
RATIO_FLOOR = 0.8


def fail(message: str) -> None:
    print(f"bench_pipes: {message}", file=sys.stderr)
    sys.exit(1)


def run(cmd, **kw) -> str:
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        fail(f"{shlex.join(map(str, cmd))} exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return proc.stdout


def build() -> dict:
    if not JAR.is_file():
        fail(f"{JAR.relative_to(ROOT)} is missing: run make setup")
    for tool in ("gcc", "javac", "java"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not on PATH")
    BUILD.mkdir(parents=True, exist_ok=True)
    programs = {}
    for src in sorted((ROOT / "bench" / "c").glob("*.c")):
        exe = BUILD / src.stem
        run(["gcc", "-O2", "-Wall", "-Werror", "-o", exe, src])
        programs[src.stem] = exe
    shutil.rmtree(CLASSES, ignore_errors=True)
    sources = sorted((ROOT / "bench" / "java").glob("*.java"))
    run(["javac", "--release", "17", "-cp", JAR, "-d", CLASSES, *sources])
    return programs


def java(*args: str) -> str:
    opts = shlex.split(os.environ.get("JJAVA_JVM_OPTS", KERNEL_JVM_OPTS))
    return run(["java", *opts, "-cp", f"{JAR}{os.pathsep}{CLASSES}", "PipesBench", *args])


def samples(text: str) -> list:
    values = [float(line) for line in text.split()]
    if not values:
        fail("a bench produced no samples")
    return sorted(values)


def percentile(sorted_values: list, p: float) -> float:
    """Nearest rank: the smallest sample with at least p of them at or below it."""
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def mibps(text: str) -> list:
    rates = []
    for line in text.splitlines():
        nbytes, seconds = line.split()
        if int(nbytes) != PIPE_BYTES:
            fail(f"pipe bench moved {nbytes} bytes, not {PIPE_BYTES}")
        rates.append(int(nbytes) / (1 << 20) / float(seconds))
    if len(rates) != PIPE_PASSES:
        fail(f"pipe bench reported {len(rates)} passes, not {PIPE_PASSES}")
    return rates


def main() -> None:
    programs = build()

    spawn = samples(java("spawn", str(SPAWN_RUNS), str(SPAWN_WARMUP)))
    print(f"spawn_first_byte_ms p50={percentile(spawn, 0.5):.2f} p90={percentile(spawn, 0.9):.2f}", flush=True)

    native = samples(run([programs["fork_first_byte"], str(NATIVE_RUNS)]))
    print(f"native_fork_first_byte_ms p50={percentile(native, 0.5):.3f}", flush=True)

    fork = samples(java("fork", str(FORK_RUNS), str(FORK_WARMUP)))
    print(f"fork_cell_ms p50={percentile(fork, 0.5):.2f}", flush=True)

    # Alternate the two so that a busy moment on the machine hits both, and report each one's
    # best pass: other work on the machine only ever slows a pass down.
    java_rates, native_rates = [], []
    args = [str(PIPE_BYTES), str(PIPE_WARM), str(PIPE_PASSES)]
    for _ in range(PIPE_ROUNDS):
        java_rates += mibps(java("pipe", *args))
        native_rates += mibps(run([programs["pipe_throughput"], *args]))
    j, n = max(java_rates), max(native_rates)
    print(f"pipe_MiBps java={j:.0f} native={n:.0f} ratio={j / n:.2f}", flush=True)

    missed = [f"{name} {value:.1f} ms > {floor:.0f} ms" for name, value, floor in (
        ("spawn p50", percentile(spawn, 0.5), FLOORS["spawn p50"]),
        ("fork cell p50", percentile(fork, 0.5), FLOORS["fork cell p50"])) if value > floor]
    if j / n < RATIO_FLOOR:
        missed.append(f"pipe ratio {j / n:.2f} < {RATIO_FLOOR}")
    if missed:
        print("bench_pipes: below floor: " + "; ".join(missed), file=sys.stderr)


if __name__ == "__main__":
    main()
